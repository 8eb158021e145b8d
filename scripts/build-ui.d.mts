export const ROOT: string;
export const UI_BUNDLE_PATH: string;
export function buildUiBundle(opts?: { minify?: boolean }): Promise<string>;
export function writeUiBundle(path?: string): Promise<{ path: string; bytes: number }>;
