/**
 * The explainer's DOM: the form, then one section per question, each drawn from what
 * `explain()` computed. Numbers the tests read carry `data-number` (one value) or
 * `data-list` (comma-separated); tensors are `Grid`s (`data-tensor`, `data-values`).
 * `#explainer` carries `data-state` (busy | ready | error) and `data-key` (the setting the
 * numbers belong to); the Graphviz pictures, which come later, set `data-graph-state`.
 */
import { toSvg } from 'graft';
import { byId, fill, h, shapeText, type Child } from '../dom.ts';
import { Grid, type CellMark } from '../grid.ts';
import { explain, receptiveFields, transposeTo, type ExplainSetting, type Explanation } from './compute.ts';
import { FIELDS, PRESETS, fieldsOf, settingKey, settingOf, type Field } from './setting.ts';

const LABELS: Record<Field, string> = {
  n: 'batch',
  h: 'height',
  w: 'width',
  c: 'channels',
  kh: 'height',
  kw: 'width',
  cout: 'out-channels',
  sh: 'height',
  sw: 'width',
  dh: 'height',
  dw: 'width',
  pt: 'top',
  pb: 'bottom',
  pl: 'left',
  pr: 'right',
};

const GROUPS: readonly { legend: string; fields: readonly Field[] }[] = [
  { legend: 'x (NHWC)', fields: ['n', 'h', 'w', 'c'] },
  { legend: 'kernel (HWIO)', fields: ['kh', 'kw', 'cout'] },
  { legend: 'strides', fields: ['sh', 'sw'] },
  { legend: 'dilations', fields: ['dh', 'dw'] },
];

/** A number the tests can read: `<span data-number="geo.outH">14</span>`. */
const num = (name: string, v: number, text = String(v)) => h('span', { class: 'num', 'data-number': name, 'data-value': String(v) }, text);
const diffText = (v: number) => (v === 0 ? '0' : v.toExponential(2));
const code = (s: string) => h('code', {}, s);

export interface ExplainerView {
  /** Sets the form to `s` and recomputes. */
  set(s: ExplainSetting): Promise<void>;
  /** Resolves when the current setting's numbers are on the page. */
  readonly settled: () => Promise<void>;
}

export function mountExplainer(): ExplainerView {
  const root = byId('explainer');
  const form = byId<HTMLFormElement>('explain-form');
  const status = byId('explain-status');
  const inputs = {} as Record<Field, HTMLInputElement>;
  const make = (f: Field) => {
    const input = h('input', { type: 'number', name: f, id: `f-${f}`, min: f.startsWith('p') ? 0 : 1, step: 1, inputmode: 'numeric' });
    inputs[f] = input;
    return h('label', { for: `f-${f}` }, h('span', {}, LABELS[f]), input);
  };
  const padding = h(
    'select',
    { name: 'padding', id: 'f-padding' },
    h('option', { value: 'SAME' }, 'SAME'),
    h('option', { value: 'VALID' }, 'VALID'),
    h('option', { value: 'EXPLICIT' }, 'explicit'),
  );
  const explicit = h('div', { class: 'explicit-pads' }, ...(['pt', 'pb', 'pl', 'pr'] as const).map(make));
  fill(
    form,
    h('div', { class: 'presets' }, h('span', {}, 'presets: '), ...PRESETS.map((p) => h('button', { type: 'button', 'data-preset': p.id }, p.label))),
    h(
      'div',
      { class: 'fieldsets' },
      ...GROUPS.map((g) => h('fieldset', {}, h('legend', {}, g.legend), ...g.fields.map(make))),
      h('fieldset', {}, h('legend', {}, 'padding'), h('label', { for: 'f-padding' }, h('span', {}, 'mode'), padding), explicit),
    ),
  );
  form.addEventListener('submit', (e) => e.preventDefault());

  let current: ExplainSetting = PRESETS[0]!.setting;
  let token = 0;
  let settled: Promise<void> = Promise.resolve();

  const writeForm = (s: ExplainSetting) => {
    const v = fieldsOf(s);
    for (const f of FIELDS) inputs[f].value = String(v[f]);
    padding.value = typeof s.padding === 'string' ? s.padding : 'EXPLICIT';
    explicit.hidden = padding.value !== 'EXPLICIT';
  };

  const compute = (s: ExplainSetting): Promise<void> => {
    const mine = ++token;
    current = s;
    root.dataset.state = 'busy';
    const key = settingKey(s);
    const work = (async () => {
      let e: Explanation;
      try {
        e = await explain(s);
      } catch (err) {
        if (mine !== token) return;
        fill(status, h('span', { class: 'error', 'data-error-name': (err as Error).name }, `${(err as Error).name}: ${(err as Error).message}`));
        root.dataset.state = 'error';
        root.dataset.key = key;
        return;
      }
      if (mine !== token) return;
      render(e, () => mine === token);
      fill(status, `computed by graft (float64, cpu()) in ${e.ms.toFixed(0)} ms: four programs, one per way, plus the pictures below`);
      root.dataset.key = key;
      root.dataset.state = 'ready';
    })();
    settled = work;
    return work;
  };

  // The form is read when the typing pauses (and a preset clicked meanwhile wins: clicking it
  // blurs the field being edited, whose 'change' event comes first).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const readForm = () => {
    const values = {} as Record<Field, string>;
    for (const f of FIELDS) values[f] = inputs[f].value;
    const s = settingOf(values, padding.value);
    if ('error' in s) {
      token++;
      fill(status, h('span', { class: 'error', 'data-error-name': 'input' }, s.error));
      root.dataset.state = 'error';
      return;
    }
    void compute(s);
  };
  const fromForm = () => {
    explicit.hidden = padding.value !== 'EXPLICIT';
    clearTimeout(timer);
    root.dataset.state = 'busy';
    timer = setTimeout(readForm, 120);
  };
  form.addEventListener('input', fromForm);
  form.addEventListener('change', fromForm);
  form.addEventListener('click', (e) => {
    const id = (e.target as HTMLElement).dataset?.preset;
    const p = PRESETS.find((q) => q.id === id);
    if (p === undefined) return;
    clearTimeout(timer);
    writeForm(p.setting);
    void compute(p.setting);
  });

  writeForm(current);
  void compute(current);
  return {
    set: (s) => {
      writeForm(s);
      return compute(s);
    },
    settled: () => settled,
  };
}

function render(e: Explanation, live: () => boolean): void {
  renderGeometry(e);
  renderForward(e);
  renderDx(e);
  renderDw(e);
  renderAmbiguity(e);
  void renderGraphs(e, live);
}

function section(id: string, ...children: Child[]): void {
  fill(byId(id), ...children);
}

function renderGeometry(e: Explanation): void {
  const g = e.geometry;
  const s = e.setting;
  const axis = (name: 'height' | 'width', a: typeof g.h, key: 'H' | 'W', side: [string, string]) => {
    const [before, after] = key === 'H' ? ['geo.pt', 'geo.pb'] : ['geo.pl', 'geo.pr'];
    const rows: Child[] = [];
    if (s.padding === 'SAME') {
      const total = a.before + a.after;
      rows.push(
        h('div', {}, code(`out = ceil(in / s) = ceil(${a.in} / ${a.stride}) = `), num(`geo.out${key}`, a.out)),
        h('div', {}, code(`total = max((out − 1)·s + keff − in, 0) = max(${a.out - 1}·${a.stride} + ${a.keff} − ${a.in}, 0) = ${total}`)),
        h(
          'div',
          {},
          code(`${side[0]} = floor(total / 2) = `),
          num(before, a.before),
          code(`, ${side[1]} = total − ${side[0]} = `),
          num(after, a.after),
        ),
      );
    } else {
      rows.push(
        h(
          'div',
          {},
          code(`${side[0]} = `),
          num(before, a.before),
          code(`, ${side[1]} = `),
          num(after, a.after),
          s.padding === 'VALID' ? ' (VALID)' : ' (explicit)',
        ),
        h('div', {}, code(`out = floor((in + ${side[0]} + ${side[1]} − keff) / s) + 1 = floor((${a.in} + ${a.before} + ${a.after} − ${a.keff}) / ${a.stride}) + 1 = `), num(`geo.out${key}`, a.out)),
      );
    }
    return h(
      'div',
      { class: 'axis' },
      h('h4', {}, name),
      h('div', {}, code(`keff = (k − 1)·d + 1 = (${a.k} − 1)·${a.dilation} + 1 = `), num(`geo.keff${key}`, a.keff)),
      ...rows,
      h(
        'div',
        {},
        code(`r = (in + ${side[0]} + ${side[1]} − keff) mod s = (${a.in} + ${a.before} + ${a.after} − ${a.keff}) mod ${a.stride} = `),
        num(`geo.r${key}`, a.unread),
        a.unread > 0 ? ` — the last ${a.unread} ${name === 'height' ? 'row' : 'column'}${a.unread > 1 ? 's' : ''} of the padded input ${a.unread > 1 ? 'are' : 'is'} never read` : '',
      ),
    );
  };
  section(
    'geometry',
    h('h3', {}, 'Geometry'),
    h(
      'p',
      {},
      code(`y = conv2d(x ${shapeText(s.x)}, w ${shapeText(g.filterShape)}, strides ${shapeText(s.strides)}, padding ${typeof s.padding === 'string' ? s.padding : JSON.stringify(s.padding)}, dilations ${shapeText(s.dilations)})`),
      ' → y ',
      h('span', { 'data-number-list': 'geo.yShape' }, shapeText(g.outShape)),
      '. From graft’s geometry record (',
      code('convGeometry'),
      '), the one place padding and output sizes are computed:',
    ),
    h('div', { class: 'axes' }, axis('height', g.h, 'H', ['top', 'bottom']), axis('width', g.w, 'W', ['left', 'right'])),
  );
}

function renderForward(e: Explanation): void {
  const t = e.tensors;
  const g = e.geometry;
  const slice = [0, 0] as const;
  const x = new Grid({ name: 'x', title: 'x, zero-padded', symbol: 'x', tensor: t.x, layout: 'nhwc', slice, frame: g.pads, maxWidth: 340 });
  const w = new Grid({ name: 'w', title: 'w', symbol: 'w', tensor: t.w, layout: 'hwio', slice, maxWidth: 190 });
  const y = new Grid({ name: 'y', title: 'y = conv2d(x, w)', symbol: 'y', tensor: t.y, layout: 'nhwc', slice, maxWidth: 300 });
  const reads = h('p', { class: 'reads', id: 'reads' }, 'Point at a cell of y: the cells of x it reads are outlined, numbered by the kernel tap (row-major) that reads them.');
  const fields = receptiveFields(e.setting);
  let asked = 0;
  y.onHover((i, j) => {
    const mine = ++asked;
    void fields(i, j).then((m) => {
      if (mine !== asked) return;
      const [, hp, wp] = m.shape as [number, number, number, number];
      const cells = new Map<string, number>();
      let inside = 0;
      let padded = 0;
      for (let r = 0; r < hp; r++) {
        for (let c = 0; c < wp; c++) {
          const tap = m.values[r * wp + c]!;
          if (tap === 0) continue;
          cells.set(`${r},${c}`, tap);
          const xr = r - g.pads[0];
          const xc = c - g.pads[2];
          if (xr >= 0 && xc >= 0 && xr < g.inH && xc < g.inW) inside++;
          else padded++;
        }
      }
      x.highlight(cells);
      fill(
        reads,
        `y[0, ${i}, ${j}, 0] = Σ`,
        h('sub', {}, 'a,b,ci'),
        ` x[0, ${i}·${g.strides[0]} + a·${g.dilations[0]} − ${g.pads[0]}, ${j}·${g.strides[1]} + b·${g.dilations[1]} − ${g.pads[2]}, ci] · w[a, b, ci, 0] reads `,
        num('reads.inside', inside),
        ' cells of x and ',
        num('reads.padding', padded),
        ' of its padding',
        ` (conv2dBackpropInput of a one-hot y through numbered taps, run by graft).`,
      );
      reads.dataset.cell = `${i},${j}`;
    });
  });
  section(
    'forward',
    h('h3', {}, 'The forward conv'),
    h('p', {}, 'x, w and dy are seeded uniform values in [−1, 1) (mulberry32, seeds 11, 12, 13), the same as ', code('graft explain'), ' uses.'),
    h('div', { class: 'row' }, x.el, w.el, y.el),
    reads,
  );
}

function renderDx(e: Explanation): void {
  const t = e.tensors;
  const g = e.geometry;
  const s = e.setting;
  const [sh, sw] = s.strides;
  const dilated = t['dx.hand.dilated'];
  const [top, , left] = [e.pads[0]!.value, e.pads[1]!.value, e.pads[2]!.value];
  const dilatedMark = (r: number, c: number): CellMark | undefined => (r % sh !== 0 || c % sw !== 0 ? 'zero' : undefined);
  const paddedMark = (r: number, c: number): CellMark | undefined => {
    const dr = r - top;
    const dc = c - left;
    if (dr < 0 || dc < 0 || dr >= dilated.shape[1]! || dc >= dilated.shape[2]!) return 'pad';
    return dilatedMark(dr, dc);
  };
  const auto = e.gradientGraph.dx!;
  const strided = sh > 1 || sw > 1;
  const card = (title: string, ...children: Child[]) => h('div', { class: 'card' }, h('h4', {}, title), ...children);
  const crops = e.pads.filter((p) => p.value < 0);
  section(
    'dx',
    h('h3', {}, 'd_x four ways'),
    h('p', {}, 'The loss is ', code('L = Σ y · dy'), ', so ', code('∂L/∂y = dy'), ' and every way below computes ', code('∂L/∂x'), ' for the same dy.'),
    h(
      'div',
      { class: 'cards' },
      card(
        '1. autodiff',
        h(
          'p',
          {},
          code('grad(L, [x, w])'),
          ' added ',
          code(`${auto.op}#${auto.id}`),
          ' by the rule ',
          h('code', { 'data-text': 'dx.rule' }, auto.provenance?.rule ?? '?'),
          ` (d/dx of ${auto.provenance?.forward.op ?? '?'}#${auto.provenance?.forward.id ?? '?'}).`,
        ),
        h('div', { class: 'row' }, new Grid({ name: 'dx.autodiff', title: 'dx (autodiff)', symbol: 'dx', tensor: t['dx.autodiff'], layout: 'nhwc' }).el),
      ),
      card(
        '2. conv2dBackpropInput(dy, w, inputShape)',
        h('div', { class: 'row' }, new Grid({ name: 'dx.backpropInput', title: 'conv2dBackpropInput', symbol: 'dx', tensor: t['dx.backpropInput'], layout: 'nhwc' }).el),
      ),
      card(
        '3. conv2dTranspose(dy, w, outputShape = x’s shape)',
        h('div', { class: 'row' }, new Grid({ name: 'dx.transpose', title: 'conv2dTranspose', symbol: 'dx', tensor: t['dx.transpose'], layout: 'nhwc' }).el),
      ),
    ),
    h(
      'div',
      { class: 'card', id: 'dx-by-hand' },
      h('h4', {}, '4. by hand: a stride-1 conv of the dilated, padded dy with the rotated filter'),
      h(
        'p',
        {},
        code('dx = conv2d(pad(dilate(dy, s), [keff − 1 − pt, keff − 1 − pb + r]), rot180(transposeIO(w)), strides 1, dilations d, VALID)'),
      ),
      h(
        'div',
        { class: 'row steps' },
        new Grid({ name: 'dy', title: 'dy', symbol: 'dy', tensor: t.dy, layout: 'nhwc', maxWidth: 220 }).el,
        h('div', { class: 'arrow' }, strided ? `dilate by [${sh},${sw}]` : 'stride 1: nothing to dilate'),
        new Grid({
          name: 'dx.hand.dilated',
          title: strided ? `dilate(dy, [${sh},${sw}])` : 'dy',
          symbol: 'dilated',
          tensor: dilated,
          layout: 'nhwc',
          mark: dilatedMark,
          maxWidth: 260,
          note: strided ? `${sh - 1} zero row${sh - 1 === 1 ? '' : 's'} and ${sw - 1} zero column${sw - 1 === 1 ? '' : 's'} inserted between neighbours (dots)` : undefined,
        }).el,
        h('div', { class: 'arrow' }, 'pad'),
        new Grid({ name: 'dx.hand.padded', title: 'pad(…)', symbol: 'padded', tensor: t['dx.hand.padded'], layout: 'nhwc', mark: paddedMark, maxWidth: 300 }).el,
      ),
      h(
        'table',
        { class: 'pads' },
        h('tr', {}, h('th', {}, 'side'), h('th', {}, 'formula'), h('th', {}, 'this case')),
        ...e.pads.map((p) => h('tr', {}, h('td', {}, p.side), h('td', {}, code(p.formula)), h('td', {}, code(p.plugged.replace(/ = [^=]*$/, ' = ')), num(`pad.${p.side}`, p.value)))),
      ),
      h(
        'p',
        { class: 'small' },
        `keff = ${g.h.keff} × ${g.w.keff}; pads pt, pb, pl, pr = ${g.pads.join(', ')}; r = ${g.h.unread} (rows), ${g.w.unread} (columns) never read by the forward pass.`,
        crops.length > 0 ? ` A negative amount crops: ${crops.map((p) => `${-p.value} from the ${p.side}`).join(', ')}.` : '',
      ),
      h(
        'div',
        { class: 'row steps' },
        new Grid({ name: 'w.again', title: 'w', symbol: 'w', tensor: t.w, layout: 'hwio', maxWidth: 190 }).el,
        h('div', { class: 'arrow' }, 'rot180 ∘ transposeIO'),
        new Grid({
          name: 'dx.hand.rotated',
          title: 'reverse(transpose(w, [0,1,3,2]), [0,1])',
          symbol: 'rotated',
          tensor: t['dx.hand.rotated'],
          layout: 'hwio',
          maxWidth: 190,
          note: 'both spatial axes reversed; in- and out-channels swapped',
        }).el,
        h('div', { class: 'arrow' }, `conv2d, strides 1, dilations [${s.dilations.join(',')}], VALID`),
        new Grid({ name: 'dx.hand', title: 'dx (by hand)', symbol: 'dx', tensor: t['dx.hand'], layout: 'nhwc' }).el,
      ),
    ),
    h(
      'table',
      { class: 'diffs' },
      h('tr', {}, h('th', {}, 'max |difference| from autodiff, over all elements'), h('th', {}, '')),
      h('tr', {}, h('td', {}, '2. conv2dBackpropInput'), h('td', {}, num('maxdiff.dx.backpropInput', e.maxDiff.dx.backpropInput, diffText(e.maxDiff.dx.backpropInput)))),
      h('tr', {}, h('td', {}, '3. conv2dTranspose'), h('td', {}, num('maxdiff.dx.transpose', e.maxDiff.dx.transpose, diffText(e.maxDiff.dx.transpose)))),
      h('tr', {}, h('td', {}, '4. by hand'), h('td', {}, num('maxdiff.dx.hand', e.maxDiff.dx.hand, diffText(e.maxDiff.dx.hand)))),
    ),
  );
}

function renderDw(e: Explanation): void {
  const t = e.tensors;
  const g = e.geometry;
  const s = e.setting;
  const conv = t['dw.hand.conv'];
  const auto = e.gradientGraph.dw!;
  const cropH = conv.shape[1]! - g.kh;
  const cropW = conv.shape[2]! - g.kw;
  const card = (title: string, ...children: Child[]) => h('div', { class: 'card' }, h('h4', {}, title), ...children);
  section(
    'dw',
    h('h3', {}, 'd_w three ways'),
    h(
      'div',
      { class: 'cards' },
      card(
        '1. autodiff',
        h('p', {}, code('grad'), ' added ', code(`${auto.op}#${auto.id}`), ' by the rule ', h('code', { 'data-text': 'dw.rule' }, auto.provenance?.rule ?? '?'), '.'),
        h('div', { class: 'row' }, new Grid({ name: 'dw.autodiff', title: 'dw (autodiff)', symbol: 'dw', tensor: t['dw.autodiff'], layout: 'hwio', maxWidth: 220 }).el),
      ),
      card(
        '2. conv2dBackpropFilter(x, dy, filterShape)',
        h('div', { class: 'row' }, new Grid({ name: 'dw.backpropFilter', title: 'conv2dBackpropFilter', symbol: 'dw', tensor: t['dw.backpropFilter'], layout: 'hwio', maxWidth: 220 }).el),
      ),
    ),
    h(
      'div',
      { class: 'card', id: 'dw-by-hand' },
      h('h4', {}, '3. by hand: batch plays the channels, strides and dilations swap roles'),
      h('p', {}, code('dw = transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]), strides d, dilations s, padding (pt, pb, pl, pr)), [1,2,0,3]), cropped to [kh, kw]')),
      h(
        'div',
        { class: 'row steps' },
        new Grid({ name: 'dw.hand.xT', title: 'transpose(x, [3,1,2,0])', symbol: 'xT', tensor: t['dw.hand.xT'], layout: 'nhwc', maxWidth: 260 }).el,
        h('div', { class: 'arrow' }, `conv2d, strides [${s.dilations.join(',')}], dilations [${s.strides.join(',')}]`),
        new Grid({ name: 'dw.hand.dyT', title: 'transpose(dy, [1,2,0,3]) as the filter', symbol: 'dyT', tensor: t['dw.hand.dyT'], layout: 'hwio', maxWidth: 220 }).el,
        h('div', { class: 'arrow' }, '='),
        new Grid({
          name: 'dw.hand.conv',
          title: 'conv2d(…)',
          symbol: 'c',
          tensor: conv,
          layout: 'nhwc',
          maxWidth: 220,
          note: cropH > 0 || cropW > 0 ? `${cropH} row(s), ${cropW} column(s) past [kh, kw] cropped` : 'already [kh, kw]: nothing to crop',
        }).el,
        h('div', { class: 'arrow' }, 'crop, transpose [1,2,0,3]'),
        new Grid({ name: 'dw.hand', title: 'dw (by hand)', symbol: 'dw', tensor: t['dw.hand'], layout: 'hwio', maxWidth: 220 }).el,
      ),
    ),
    h(
      'table',
      { class: 'diffs' },
      h('tr', {}, h('th', {}, 'max |difference| from autodiff, over all elements'), h('th', {}, '')),
      h('tr', {}, h('td', {}, '2. conv2dBackpropFilter'), h('td', {}, num('maxdiff.dw.backpropFilter', e.maxDiff.dw.backpropFilter, diffText(e.maxDiff.dw.backpropFilter)))),
      h('tr', {}, h('td', {}, '3. by hand'), h('td', {}, num('maxdiff.dw.hand', e.maxDiff.dw.hand, diffText(e.maxDiff.dw.hand)))),
    ),
  );
}

function renderAmbiguity(e: Explanation): void {
  const g = e.geometry;
  const s = e.setting;
  const list = (name: string, v: readonly number[]) => h('span', { class: 'num', 'data-list': name, 'data-value': v.join(',') }, v.length === 0 ? 'none' : v.join(', '));
  const hIn = h('input', { type: 'number', id: 'to-h', min: 1, step: 1, value: s.x[1] });
  const wIn = h('input', { type: 'number', id: 'to-w', min: 1, step: 1, value: s.x[2] });
  const out = h('div', { id: 'transpose-to', 'data-state': 'busy' });
  let asked = 0;
  const update = async () => {
    const mine = ++asked;
    out.dataset.state = 'busy';
    const hh = Number(hIn.value);
    const ww = Number(wIn.value);
    if (!Number.isInteger(hh) || !Number.isInteger(ww) || hh < 1 || ww < 1 || hh > 256 || ww > 256) {
      fill(out, h('p', { class: 'error', 'data-error-name': 'input' }, 'output height and width must be integers from 1 to 256'));
      out.dataset.state = 'error';
      return;
    }
    const r = await transposeTo(s, hh, ww);
    if (mine !== asked) return;
    if (r.ok) {
      fill(
        out,
        h('p', {}, code(`conv2dTranspose(dy ${shapeText(g.outShape)}, w, outputShape ${shapeText(r.outputShape)})`), ' — max |difference| from ', code('conv2dBackpropInput'), ' with that input shape: ', num('transpose.maxdiff', r.maxDiffVsBackpropInput, diffText(r.maxDiffVsBackpropInput))),
        h('div', { class: 'row' }, new Grid({ name: 'transpose.to', title: 'conv2dTranspose(dy, w, outputShape)', symbol: 'out', tensor: r.values, layout: 'nhwc' }).el),
      );
      out.dataset.state = 'ready';
    } else {
      fill(out, h('p', {}, 'graft refuses it, with a typed error:'), h('pre', { class: 'error', id: 'transpose-error', 'data-error-name': r.errorName }, `${r.errorName}: ${r.error}`));
      out.dataset.state = 'error';
    }
  };
  const choose = (v: number, axis: 'h' | 'w') => h('button', { type: 'button', 'data-to': `${axis}${v}` }, String(v));
  const buttons = h(
    'span',
    { class: 'to-buttons' },
    'try: ',
    ...e.validHeights.map((v) => choose(v, 'h')),
    h('button', { type: 'button', 'data-to': 'impossible' }, `${Math.max(...e.validHeights, s.x[1]) + 1} (impossible)`),
  );
  buttons.addEventListener('click', (ev) => {
    const to = (ev.target as HTMLElement).dataset?.to;
    if (to === undefined) return;
    if (to === 'impossible') hIn.value = String(Math.max(...e.validHeights, s.x[1]) + 1);
    else if (to.startsWith('h')) hIn.value = to.slice(1);
    void update();
  });
  hIn.addEventListener('input', () => void update());
  wIn.addEventListener('input', () => void update());
  section(
    'ambiguity',
    h('h3', {}, 'Why conv2dTranspose takes an output shape'),
    h(
      'p',
      {},
      'With these strides, padding and dilations conv2d maps every input height in {',
      list('valid.heights', e.validHeights),
      `} to ${g.outH}, and every input width in {`,
      list('valid.widths', e.validWidths),
      `} to ${g.outW}. `,
      e.validHeights.length > 1 || e.validWidths.length > 1 ? 'Its transpose cannot tell which x it came from, so ' : 'Here only x’s own size does (no stride above 1 rounds sizes together); in general, ',
      code('conv2dTranspose(v, w, outputShape)'),
      ' — the same computation as ',
      code('conv2dBackpropInput'),
      ' — is told. Pick an output size:',
    ),
    h('div', { class: 'to-form' }, h('label', {}, 'height ', hIn), h('label', {}, 'width ', wIn), buttons),
    out,
  );
  void update();
}

async function renderGraphs(e: Explanation, live: () => boolean): Promise<void> {
  const root = byId('graph');
  root.dataset.graphState = 'busy';
  const gradientSvg = h('div', { class: 'svg', id: 'graph-svg' }, 'drawing with Graphviz (WebAssembly, loaded on first use)…');
  const loweredSvg = h('div', { class: 'svg', id: 'lowered-svg' });
  fill(
    root,
    h('h3', {}, 'The graph: forward and gradient nodes, and their lowering'),
    h(
      'div',
      { class: 'graphs' },
      h(
        'div',
        {},
        h('p', {}, 'Each gradient node records its provenance: the forward node it differentiates and the rule that made it (coloured by rule).'),
        gradientSvg,
        h('details', {}, h('summary', {}, 'the graph as text (printGraph)'), h('pre', { id: 'graph-listing' }, e.gradientListing)),
      ),
      h(
        'div',
        {},
        h('p', {}, 'Lowering: ', code('compile(…, { lowerConvGradients: true })'), ' rewrites the gradient ops into conv2d of padded, dilated, reversed, transposed tensors. The rewrite’s trace:'),
        h('pre', { id: 'lowering-trace' }, e.loweringTrace),
        loweredSvg,
        h('details', {}, h('summary', {}, 'the lowered graph as text'), h('pre', { id: 'lowered-listing' }, e.loweredListing)),
      ),
    ),
  );
  try {
    const [a, b] = [await toSvg(e.gradientGraph, { rankdir: 'TB' }), await toSvg(e.loweredGraph, { rankdir: 'TB' })];
    if (!live()) return;
    gradientSvg.innerHTML = a.slice(a.indexOf('<svg'));
    loweredSvg.innerHTML = b.slice(b.indexOf('<svg'));
    root.dataset.graphState = 'ready';
  } catch (err) {
    if (!live()) return;
    fill(gradientSvg, h('p', { class: 'error' }, `Graphviz failed: ${(err as Error).message}`));
    root.dataset.graphState = 'error';
  }
}

