export const runnerNodeFlags: string[];
export const runnerAllocatorEnv: { MALLOC_MMAP_THRESHOLD_: string; MALLOC_ARENA_MAX: string };
