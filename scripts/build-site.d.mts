export const SITE_DIR: string;
export function buildSite(opts?: { outdir?: string; minify?: boolean; quiet?: boolean }): Promise<string>;
