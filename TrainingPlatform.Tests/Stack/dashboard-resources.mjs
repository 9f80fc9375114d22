// Opens the Aspire dashboard in headless Chromium as a person would, waits for the named resources to show as
// Running (and not Unhealthy), saves a screenshot and prints one JSON line: { "running": [...], "missing": [...] }.
// Usage: node dashboard-resources.mjs <dashboard-url> <screenshot.png> <resource> [<resource> ...]
import { createRequire } from 'node:module';

const require = createRequire(process.env.OPS_TOOLS_MODULES + '/');
const { chromium } = require('playwright-core');

const [url, screenshot, ...wanted] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(url, { waitUntil: 'networkidle', timeout: 60000 });
  const running = [];
  const deadline = Date.now() + 120000;
  let reloads = 0;
  while (Date.now() < deadline && running.length < wanted.length) {
    // A Blazor circuit can die on a loaded machine ("An unhandled error has occurred. Reload"): reload, as a person would.
    if (reloads < 3 && await page.getByText('An unhandled error has occurred').isVisible()) {
      reloads++;
      await page.reload({ waitUntil: 'networkidle', timeout: 60000 });
    }
    const rows = await page.locator('[role="row"]').allInnerTexts();
    running.length = 0;
    for (const name of wanted) {
      if (rows.some(row => row.split(/\s+/).includes(name) && /Running/.test(row) && !/Unhealthy/.test(row))) running.push(name);
    }
    if (running.length < wanted.length) await page.waitForTimeout(1000);
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ running, missing: wanted.filter(n => !running.includes(n)), reloads }));
} finally {
  await browser.close();
}
