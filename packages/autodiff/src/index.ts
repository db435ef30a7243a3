export { grad, vjp, zerosLike } from './reverse.ts';
export { jvp, hvp } from './forward.ts';
export { explainGradient } from './explain.ts';
