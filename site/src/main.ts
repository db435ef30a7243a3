/**
 * The page: the explainer (what conv2d_transpose does, with graft computing every number) and
 * the demo CNN trained in the page. Everything runs here; the server only sends files.
 * `document.body.dataset.ready` is set once the first setting's numbers are drawn and the
 * digits are loaded, with the time since navigation in `data-load-ms`.
 */
import { cpuThreads } from 'graft';
import { byId } from './dom.ts';
import { mountExplainer } from './explain/view.ts';
import { decodeDigits } from './train/digits.ts';
import { mountTraining } from './train/view.ts';

async function main(): Promise<void> {
  const isolated = globalThis.crossOriginIsolated === true;
  byId('runtime').textContent = isolated
    ? `cross-origin isolated: cpu() runs on ${cpuThreads()} threads (Web Workers over a shared WebAssembly memory)`
    : 'not cross-origin isolated (no COOP/COEP headers): cpu() runs on one thread';
  document.body.dataset.crossOriginIsolated = String(isolated);
  const explainer = mountExplainer();
  const digits = fetch(new URL('./digits.bin', import.meta.url)).then(async (r) => {
    if (!r.ok) throw new Error(`digits.bin: HTTP ${r.status}`);
    return decodeDigits(new Uint8Array(await r.arrayBuffer()));
  });
  await Promise.all([explainer.settled(), digits.then(mountTraining)]);
  document.body.dataset.loadMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

main().catch((e: Error) => {
  document.body.dataset.ready = 'error';
  const box = document.getElementById('fatal');
  if (box !== null) {
    box.hidden = false;
    box.textContent = `${e.name}: ${e.message}`;
  }
  throw e;
});
