import { GraphError } from '@graft/ir';
import { toDot, type DotOptions, type DotSource } from './dot.ts';

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;

let viz: Promise<Viz> | undefined;

/** The Graphviz WebAssembly instance, loaded on first use (the module is large). */
function graphviz(): Promise<Viz> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return viz;
}

/** Options of `toSvg`: those of `toDot`, and the Graphviz layout engine. */
export interface SvgOptions extends DotOptions {
  /** Layout engine (default `dot`). */
  readonly engine?: 'dot' | 'neato' | 'fdp' | 'sfdp' | 'circo' | 'twopi' | 'osage' | 'patchwork';
}

/**
 * Renders a picture as SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`; no system
 * Graphviz needed). `source` is DOT text or anything `toDot` draws. Resolves to the SVG
 * document; rejects with a `GraphError` carrying Graphviz's messages when it refuses the DOT.
 */
export async function toSvg(source: string | DotSource, options: SvgOptions = {}): Promise<string> {
  const dot = typeof source === 'string' ? source : toDot(source, options);
  const instance = await graphviz();
  const result = instance.render(dot, { format: 'svg', engine: options.engine ?? 'dot' });
  if (result.status !== 'success') {
    const messages = result.errors.map((e) => e.message.trim()).join('; ');
    throw new GraphError('toSvg', 'Graphviz must accept the DOT text', { messages, dotLength: dot.length }, messages || 'no message');
  }
  return result.output;
}
