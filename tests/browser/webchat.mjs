// Headless-browser test of secbot's web chat: ask for risks, remediate the 2nd one, rate the
// answer, check the rating was stored, then ask for a digest and check its chart shows.
//
//   SECBOT_URL=http://127.0.0.1:43123 node tests/browser/webchat.mjs
//
// Env: SECBOT_URL (required), CHROMIUM_PATH (default /usr/bin/chromium), SECBOT_SCREENSHOT
// (default /tmp/secbot-webchat.png; the digest's goes beside it as …-digest.png), SECBOT_TOKEN (optional, opens the page with ?token=).
import { chromium } from "playwright-core";

const BASE = (process.env.SECBOT_URL || "").replace(/\/+$/, "");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SCREENSHOT = process.env.SECBOT_SCREENSHOT || "/tmp/secbot-webchat.png";
const DIGEST_SCREENSHOT = SCREENSHOT.replace(/\.png$/, "") + "-digest.png";
const TOKEN = process.env.SECBOT_TOKEN || "";
const TIMEOUT = 15_000;
const PROMPT = "Show critical risks for publicly exposed resources";
// The localStorage / sessionStorage keys app.js uses.
const USER_KEY = "secbot.webchat.user";
const TOKEN_KEY = "secbot.webchat.token";

class StepFailure extends Error {}

const log = (line) => console.log(`[webchat] ${line}`);

let stepNo = 0;
let currentPage = null;
const problems = []; // uncaught errors in the page: each fails the test
async function step(name, run) {
  stepNo += 1;
  log(`step ${stepNo}: ${name}`);
  try {
    return await run();
  } catch (err) {
    const why =
      err instanceof StepFailure
        ? err.message
        : `${err.name}: ${err.message.split("\n")[0]}\n${currentPage ? await describe(currentPage) : ""}`;
    throw new StepFailure(`step ${stepNo} (${name}) failed: ${why}`);
  }
}

// Polls the page until `probe` returns a truthy value; fails with `expected` and what the page
// showed (from `describe`) after the timeout.
async function waitFor(page, expected, probe, arg) {
  try {
    const handle = await page.waitForFunction(probe, arg, { timeout: TIMEOUT, polling: 100 });
    return await handle.jsonValue();
  } catch (err) {
    if (!/Timeout/i.test(err.message)) throw err;
    throw new StepFailure(`expected ${expected} within ${TIMEOUT / 1000} s\n${await describe(page)}`);
  }
}

// A short account of what the page shows, for failure messages.
async function describe(page) {
  try {
    const seen = await page.evaluate(() => {
      const lines = [];
      for (const card of document.querySelectorAll("article.card")) {
        const title = card.querySelector(".card-title")?.textContent ?? "(no title)";
        const items = card.querySelectorAll("li.item").length;
        const code = card.querySelectorAll("pre.code").length;
        lines.push(
          `card skill=${card.dataset.skill} id=${card.dataset.responseId} items=${items} code=${code}: ${title}`,
        );
      }
      for (const node of document.querySelectorAll(".bubble.error, .note, .form-error")) {
        lines.push(`${node.className}: ${node.textContent}`);
      }
      lines.push(`suggestion chips: ${document.querySelectorAll(".suggestion").length}`);
      return lines;
    });
    return "the page showed:\n  " + seen.join("\n  ");
  } catch (err) {
    return `(could not read the page: ${err.message})`;
  }
}

async function launch() {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 30_000,
      // Without the background-networking flags Chromium's own connections are refused on a
      // closed network and can stall the page.
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  } catch (err) {
    throw new StepFailure(
      `could not launch Chromium at ${CHROMIUM} (install it, e.g. apt-get install -y chromium, or set CHROMIUM_PATH): ${err.message.split("\n")[0]}`,
    );
  }
}

async function main() {
  if (!BASE) throw new StepFailure("SECBOT_URL is not set (e.g. SECBOT_URL=http://127.0.0.1:43123)");
  log(`secbot at ${BASE}, chromium at ${CHROMIUM}`);
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    currentPage = page;
    page.setDefaultTimeout(TIMEOUT);
    page.on("pageerror", (err) => problems.push(`uncaught error in the page: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") log(`browser console error: ${msg.text()}`);
    });
    page.on("response", (res) => {
      if (res.status() >= 400) log(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
    });

    await step("open the web chat and wait for suggestion chips", async () => {
      const url = TOKEN ? `${BASE}/?token=${encodeURIComponent(TOKEN)}` : `${BASE}/`;
      const res = await page.goto(url, { waitUntil: "domcontentloaded", timeout: TIMEOUT });
      if (!res || !res.ok()) throw new StepFailure(`expected GET / to answer 200, got ${res ? res.status() : "no response"}`);
      await waitFor(page, "at least one .suggestion chip", () => document.querySelectorAll(".suggestion").length > 0);
    });

    await step(`ask "${PROMPT}"`, async () => {
      await page.locator("#prompt").fill(PROMPT);
      await page.locator("#prompt").press("Enter");
    });

    const list = await step("wait for a list_risks card with at least 2 items", () =>
      waitFor(page, 'an article.card[data-skill="list_risks"] with at least 2 li.item', () => {
        const card = [...document.querySelectorAll('article.card[data-skill="list_risks"]')].find(
          (c) => c.querySelectorAll("li.item").length >= 2,
        );
        if (!card) return null;
        const item = card.querySelectorAll("li.item")[1];
        return {
          id: card.dataset.responseId,
          subtitle: item.querySelector(".item-subtitle")?.textContent ?? "",
          title: item.querySelector(".item-title")?.textContent ?? "",
        };
      }),
    );
    const resource = list.subtitle.split(" · ")[0].trim();
    log(`2nd item: "${list.title}" on "${resource}"`);

    const remediation = await step("press Remediate on the 2nd item and wait for the Fix: card", async () => {
      if (!resource) throw new StepFailure(`expected the 2nd item to have a subtitle starting with a resource name, got "${list.subtitle}"`);
      const before = await page.$$eval('article.card[data-skill="remediate"]', (cards) => cards.length);
      const item = page.locator(`article.card[data-response-id="${list.id}"] li.item`).nth(1);
      const remediate = item.locator('button[data-label="Remediate"]');
      if ((await remediate.count()) === 0) {
        const labels = await item.locator("button").evaluateAll((bs) => bs.map((b) => b.dataset.label));
        throw new StepFailure(`expected a Remediate button on the 2nd item, it has: ${JSON.stringify(labels)}`);
      }
      await remediate.click();
      return waitFor(
        page,
        'a new article.card[data-skill="remediate"] titled "Fix: …" with a pre.code',
        (skip) => {
          const card = [...document.querySelectorAll('article.card[data-skill="remediate"]')]
            .slice(skip)
            .find(
              (c) =>
                (c.querySelector(".card-title")?.textContent ?? "").startsWith("Fix:") && c.querySelector("pre.code"),
            );
          return card
            ? {
                id: card.dataset.responseId,
                title: card.querySelector(".card-title").textContent,
                summary: card.querySelector(".card-summary")?.textContent ?? "",
              }
            : null;
        },
        before,
      );
    });

    await step(`check the remediation is about "${resource}"`, async () => {
      log(`remediation card: "${remediation.title}"`);
      if (!remediation.summary.includes(resource)) {
        throw new StepFailure(
          `expected the remediation card's summary to name "${resource}", it says: "${remediation.summary}"`,
        );
      }
    });

    const card = page.locator(`article.card[data-response-id="${remediation.id}"]`);
    await step('press "Looks right" and wait for the thanks note', async () => {
      await card.locator('.card-footer button[data-label="Looks right"]').click();
      await waitFor(page, 'an .ephemeral note containing "Thanks"', () =>
        [...document.querySelectorAll(".ephemeral")].some((n) => n.textContent.includes("Thanks")),
      );
    });

    await step("check the rating was stored", async () => {
      const storage = await page.evaluate(
        ([userKey, tokenKey]) => ({ user: localStorage.getItem(userKey), token: sessionStorage.getItem(tokenKey) }),
        [USER_KEY, TOKEN_KEY],
      );
      if (!storage.user) throw new StepFailure(`expected localStorage["${USER_KEY}"] to hold the web chat user id`);
      const headers = { Accept: "application/json", "X-Webchat-User": storage.user };
      if (storage.token) headers.Authorization = `Bearer ${storage.token}`;
      const url = `${BASE}/webchat/feedback/${encodeURIComponent(remediation.id)}`;
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT) });
      const body = await res.text();
      if (!res.ok) throw new StepFailure(`expected GET ${url} to answer 200, got ${res.status}: ${body}`);
      let ratings;
      try {
        ratings = JSON.parse(body).ratings;
      } catch {
        throw new StepFailure(`expected JSON from GET ${url}, got: ${body}`);
      }
      if (!Array.isArray(ratings) || !ratings.some((r) => r && r.rating === "looks_right")) {
        throw new StepFailure(`expected a "looks_right" rating for ${remediation.id}, got: ${body}`);
      }
    });

    await step(`save a screenshot to ${SCREENSHOT}`, async () => {
      // The thread scrolls inside its own pane, so grow the viewport to show all of it.
      const height = await page.evaluate(() => {
        const pane = document.querySelector("#messages");
        return document.documentElement.clientHeight + (pane ? pane.scrollHeight - pane.clientHeight : 0);
      });
      await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 12_000) });
      await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: TIMEOUT });
    });

    await step('in a new thread, ask "digest" and wait for its chart to load', async () => {
      await page.locator("#new-thread").click();
      await page.locator("#prompt").fill("digest");
      await page.locator("#prompt").press("Enter");
      await waitFor(page, 'an article.card[data-skill="digest"] with a loaded img.card-chart', () => {
        const img = document.querySelector('article.card[data-skill="digest"] img.card-chart');
        return img && img.complete && img.naturalWidth > 0 && img.alt.includes("Open findings");
      });
    });

    await step(`save the digest's screenshot to ${DIGEST_SCREENSHOT}`, async () => {
      await page.setViewportSize({ width: 1280, height: 1100 });
      const digest = page.locator('article.card[data-skill="digest"]').first();
      await digest.screenshot({ path: DIGEST_SCREENSHOT, timeout: TIMEOUT });
    });

    if (problems.length) throw new StepFailure(problems.join("\n"));
  } finally {
    await browser.close().catch(() => {});
  }
}

try {
  await main();
  console.log("webchat browser test passed");
  process.exit(0);
} catch (err) {
  const extra = problems.length && !(err instanceof StepFailure && err.message === problems.join("\n"));
  console.error(`webchat browser test FAILED\n${err instanceof StepFailure ? err.message : err.stack}`);
  if (extra) console.error(problems.join("\n"));
  process.exit(1);
}
