// Opens the Aspire dashboard in headless Chromium as a person would: waits for the named resources to show as Running
// (and not Unhealthy), reads the message bars on that first page, saves a screenshot, then opens every link of the
// resources grid and waits for the page to show what its label promises. Prints one JSON line:
//   { "running": [...], "missing": [...], "banners": [...], "links": [{ resource, label, href, status, absent, text }] }
// Usage: node dashboard.mjs <dashboard-url> <screenshot.png> <expectations.json> <resource> [<resource> ...]
//   expectations.json: [{ "label": "<regex on the link's label>", "expect": ["text the page shows", ...] }, ...];
//   a link no row matches is reported with absent = ["(no expectation for this label)"].
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(process.env.OPS_TOOLS_MODULES + '/');
const { chromium } = require('playwright-core');

const [url, screenshot, expectationsFile, ...wanted] = process.argv.slice(2);
const expectations = JSON.parse(readFileSync(expectationsFile, 'utf8')).map(row => ({ ...row, pattern: new RegExp(row.label) }));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(url, { waitUntil: 'networkidle', timeout: 60000 });
  const running = [];
  const deadline = Date.now() + 240000; // each replica warms up before it listens, and the ingress waits for them all
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
  // The dashboard's message bars (errors and warnings above the page: certificates, unsecured endpoints...).
  const banners = await page.locator('.messagebar-container [role="alert"], .dashboard-message-bar').allInnerTexts();
  await page.screenshot({ path: screenshot, fullPage: true });

  // Each resource row's links: [resource, label, href].
  const found = await page.locator('[role="row"]').evaluateAll(rows => rows.flatMap(row => {
    const resource = (row.querySelector('[role="gridcell"]')?.innerText ?? '').trim().split(/\s+/)[0];
    return [...row.querySelectorAll('a[href^="http"]')].map(a => [resource, a.innerText.trim(), a.href]);
  }));
  const links = [];
  for (const [resource, label, href] of found) {
    const expect = expectations.find(row => row.pattern.test(label))?.expect;
    const link = { resource, label, href, status: 0, absent: expect ? [...expect] : ['(no expectation for this label)'], text: '' };
    links.push(link);
    if (!expect) continue;
    const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      const response = await tab.goto(href, { waitUntil: 'networkidle', timeout: 60000 });
      link.status = response?.status() ?? 0;
      // What a page shows can trail its load (an alert Prometheus has yet to send, a probe yet to run): look again,
      // reloading now and then, within a bound.
      const until = Date.now() + 90000;
      for (let attempt = 1; ; attempt++) {
        link.text = await tab.innerText('body').catch(() => '');
        link.absent = expect.filter(text => !link.text.includes(text));
        if (link.absent.length === 0 || Date.now() > until) break;
        await tab.waitForTimeout(1000);
        if (attempt % 10 === 0) await tab.reload({ waitUntil: 'networkidle', timeout: 60000 });
      }
    } catch (error) {
      link.text = String(error);
    } finally {
      link.text = link.text.slice(0, 600);
      await tab.close();
    }
  }
  console.log(JSON.stringify({ running, missing: wanted.filter(n => !running.includes(n)), reloads, banners, links }));
} finally {
  await browser.close();
}
