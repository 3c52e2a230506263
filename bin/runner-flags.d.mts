export const runnerNodeFlags: string[];
export function runnerAllocatorEnv(env?: Record<string, string | undefined>): Record<string, string>;
