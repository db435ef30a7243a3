import { GraphError } from '@graft/ir';

/**
 * The kernels are built once, importing a shared memory (threads). A page that is not
 * cross-origin isolated cannot create a shared memory, so it instantiates the same code over a
 * private one: the memory import's limits flag loses its "shared" bit (wasm's threads
 * proposal: flags bit 0 = has a maximum, bit 1 = shared), and nothing else changes — atomic
 * instructions are valid on private memories too. This walks the module's sections to the
 * memory import and flips that bit in a copy.
 */
export function unshareMemoryImport(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let at = 8; // magic, version
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = out[at++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const skipName = () => {
    const n = leb();
    at += n;
  };
  const skipLimits = () => {
    const flags = out[at++]!;
    leb();
    if ((flags & 1) !== 0) leb();
  };
  while (at < out.length) {
    const id = out[at++]!;
    const size = leb();
    const end = at + size;
    if (id !== 2) {
      at = end;
      continue;
    }
    const count = leb();
    for (let i = 0; i < count; i++) {
      skipName();
      skipName();
      const kind = out[at++]!;
      if (kind === 0) leb(); // function: type index
      else if (kind === 1) {
        at++; // table: element type
        skipLimits();
      } else if (kind === 2) {
        out[at] = out[at]! & ~2; // memory: limits flags without "shared"
        return out;
      } else at += 2; // global: value type, mutability
    }
    break;
  }
  throw new GraphError('cpu', 'the kernels module must import a memory', { bytes: bytes.length });
}
