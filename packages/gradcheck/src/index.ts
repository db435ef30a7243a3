export {
  gradcheck,
  makeComparison,
  DEFAULT_EPS,
  DEFAULT_TOLERANCE,
  DEFAULT_MAX_FULL_ELEMENTS,
  type GradcheckOptions,
} from './gradcheck.ts';
export { adjointCheck, DEFAULT_ADJOINT_RTOL, type AdjointCheckOptions, type AdjointReport } from './adjoint.ts';
export { entryLabel, formatReport, type GradcheckEntry, type GradcheckMode, type GradcheckReport, type InputReport } from './report.ts';
export {
  compareExecutors,
  formatComparison,
  DEFAULT_COMPARE_TOLERANCE,
  type CompareOptions,
  type CompareTolerance,
  type Divergence,
  type ExecutorComparison,
  type ExecutorSide,
} from './compare.ts';
