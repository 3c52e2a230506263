export const runnerNodeFlags: string[];
