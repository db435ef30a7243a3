/**
 * Two elementwise ops that exist nowhere in graft: each is its record alone, written here.
 * Nothing else is added anywhere (no kernel, no codegen, no compiler table): autodiff applies
 * the derivative, the compiler reads the traits, and every executor generates its kernels
 * from the arithmetic. `absolute` is made of primitives the CPU's WebAssembly evaluator has;
 * `softplus` needs exp and log, which it lacks, so its float32 CPU kernel is a JavaScript loop.
 */
import { S, unaryOp } from 'graft';

/** y = |x|;  dy/dx = sign(x) = step(x) − step(−x) (0 at 0). */
export const absolute = unaryOp('absolute', 'y = |x|', (x) => S.abs(x), (g, x, _y, t) => g.mul(t, g.sub(g.step(x), g.step(g.neg(x)))));

/** y = ln(1 + eˣ);  dy/dx = 1 / (1 + e⁻ˣ) = sigmoid(x). */
export const softplus = unaryOp('softplus', 'y = ln(1 + eˣ)', (x) => S.log(S.add(1, S.exp(x))), (g, x, _y, t) => g.mul(t, g.sigmoid(x)));
