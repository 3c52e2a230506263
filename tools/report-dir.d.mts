export function runStamp(date?: Date): string;
export function createRunDir(reportsRoot: string, test: string, date?: Date): string;
export function linkLatest(reportsRoot: string, runName: string): void;
