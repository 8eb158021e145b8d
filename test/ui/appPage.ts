// Opening the app in chromium for the app's browser tests: a page at a route, watched for console errors and
// requests that leave the server's origin.
import type { Browser, Page } from 'playwright-core';
import { guardPage } from '../browser/chromium.js';

export async function openApp(browser: Browser, serverUrl: string, hash: string): Promise<{ page: Page; guard: ReturnType<typeof guardPage> }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const guard = guardPage(page, serverUrl.replace(/\/$/, ''));
  await page.goto(serverUrl + hash);
  return { page, guard };
}
