import type { Backend, ProgramPlan } from './program.ts';

/**
 * A backend for the compiler's own tests: it prepares nothing and runs nothing, but keeps
 * every plan it is given (so tests can look at steps and buffers without an executor).
 */
export function fakeBackend(): Backend & { readonly plans: ProgramPlan[] } {
  const plans: ProgramPlan[] = [];
  return {
    name: 'fake',
    plans,
    prepare(plan) {
      plans.push(plan);
      return { run: async () => new Map() };
    },
  };
}
