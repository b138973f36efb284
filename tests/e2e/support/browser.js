// Debian's Chromium, driven by playwright-core: the one place the page tests find and start it.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium() {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: test.sh installs Debian's chromium package (or set CHROMIUM).`);
  }
  return chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
}
