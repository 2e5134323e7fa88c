// The crawler's checks, run in each crawled page (tests/browser/test_crawl_browser.py).
// Called as a function of one argument: {phone, lang, msgids, userContent, zoneOffset, zoneLabel}.
// Returns a list of problems, each {kind, detail}. The rules are in docs/developing.md ("The gates").
(args) => {
  const problems = [];
  const add = (kind, detail) => { if (problems.filter(p => p.kind === kind).length < 12) problems.push({kind, detail}); };
  const short = (text) => text.replace(/\s+/g, " ").trim().slice(0, 60);
  const describe = (el) => {
    const bits = [el.tagName.toLowerCase()];
    if (el.id) bits.push("#" + el.id);
    if (el.className && typeof el.className === "string") bits.push("." + el.className.trim().split(/\s+/).join("."));
    return bits.join("") + " '" + short(el.textContent || el.getAttribute("aria-label") || el.getAttribute("name") || "") + "'";
  };
  const visible = (el) => el.getClientRects().length > 0
    && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true, contentVisibilityAuto: true});

  // 1. Wider than the viewport (against the intended width: a phone zooms out to fit a wide page).
  const width = document.documentElement.scrollWidth;
  if (width > args.width) {
    const out = [];
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      if (box.right > args.width + 1 && box.width > 0 && out.length < 3 && !el.closest(".skip-link")) {
        out.push(describe(el) + " right=" + Math.round(box.right));
      }
    }
    add("wider than the viewport", width + "px on " + args.width + "px: " + out.join("; "));
  }

  // Visible text nodes with the language they are written in (the nearest lang attribute).
  const pageLang = args.lang;
  const msgids = new Set(args.msgids);
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, noscript, template, [hidden]")) continue;
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (!text || !visible(el)) continue;
    const langEl = el.closest("[lang]");
    const lang = langEl ? (langEl.getAttribute("lang").startsWith("zh") ? "zh" : "en") : pageLang;
    texts.push({el, text, lang});
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], img[alt], input[type=submit][value], input[type=button][value]")) {
    const langEl = el.closest("[lang]");
    const lang = langEl ? (langEl.getAttribute("lang").startsWith("zh") ? "zh" : "en") : pageLang;
    for (const name of ["aria-label", "placeholder", "title", "alt", "value"]) {
      const value = el.getAttribute(name);
      if (value && (name !== "value" || el.matches("input[type=submit], input[type=button]"))) {
        texts.push({el, text: value.replace(/\s+/g, " ").trim(), lang, attribute: name});
      }
    }
  }

  // 2. Untranslated: a Chinese page showing an English UI string of the catalogue, or an English
  // page showing Chinese UI text (text marked with another lang, and people's own content, exempt).
  const withoutUserContent = (text) => {
    let rest = text;
    for (const item of args.userContent) { if (rest.includes(item)) rest = rest.split(item).join(" "); }
    return rest;
  };
  for (const {el, text, lang, attribute} of texts) {
    if (lang !== pageLang) continue;
    // An abbreviation (DSO, CEI, CSV) is written the same way in Chinese business text: not a miss.
    if (pageLang === "zh" && msgids.has(text) && !/^[A-Z0-9/&-]{2,6}$/.test(text)) {
      add("untranslated", "English UI text on a Chinese page: '" + short(text) + "' in " + describe(el) + (attribute ? " @" + attribute : ""));
    }
    if (pageLang === "en" && /[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]/.test(withoutUserContent(text))) {
      add("untranslated", "Chinese text on an English page: '" + short(text) + "' in " + describe(el) + (attribute ? " @" + attribute : ""));
    }
  }

  // 3. Times: a time of day is followed by the site zone's label ('18:29 UTC+8'); a <time> carries the
  // site's offset; no bare UTC. A countdown (role=timer) is a duration, not a time of day.
  const clock = /(^|[^\d:.])\d{1,2}:\d{2}(:\d{2})?(?![\d:])/g;
  const escaped = args.zoneLabel.replace(/[+]/g, "\\+");
  for (const {el, text, attribute} of texts) {
    if (attribute || el.closest("[role=timer]")) continue;
    for (const match of text.matchAll(clock)) {
      const after = text.slice(match.index + match[0].length);
      if (!new RegExp("^\\s*" + escaped + "(?![\\d:])").test(after)) {
        add("time", "a time without its zone label " + args.zoneLabel + ": '" + short(text) + "' in " + describe(el));
      }
    }
    if (/\bUTC\b/.test(text.split(args.zoneLabel).join(""))) add("time", "UTC shown: '" + short(text) + "'");
    const time = el.closest("time");
    if (time && time.getAttribute("datetime") && /T\d/.test(time.getAttribute("datetime"))
        && !time.getAttribute("datetime").endsWith(args.zoneOffset)) {
      add("time", "<time datetime> not in the site's zone (" + args.zoneOffset + "): " + time.getAttribute("datetime"));
    }
  }

  // 4. Images need alt (empty for decoration); form controls need a label.
  for (const img of document.querySelectorAll("img:not([alt])")) add("alt", "img without alt: " + img.getAttribute("src"));
  for (const svg of document.querySelectorAll("svg[role=img]")) {
    if (!svg.getAttribute("aria-label") && !svg.getAttribute("aria-labelledby") && !svg.querySelector(":scope > title")) add("alt", "svg role=img without a name");
  }
  const controls = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea";
  for (const control of document.querySelectorAll(controls)) {
    const named = control.getAttribute("aria-label") || control.getAttribute("aria-labelledby") || control.getAttribute("title")
      || control.closest("label") || (control.id && document.querySelector("label[for='" + CSS.escape(control.id) + "']"));
    if (!named) add("label", "form control without a label: " + describe(control) + " name=" + control.getAttribute("name"));
  }
  for (const button of document.querySelectorAll("button, a[href], summary, input[type=submit], input[type=button]")) {
    const name = (button.textContent || "").trim() || button.getAttribute("aria-label") || button.getAttribute("aria-labelledby")
      || button.getAttribute("title") || button.getAttribute("value") || button.querySelector("img[alt]:not([alt=''])");
    if (!name && visible(button)) add("label", "control without a name: " + describe(button));
  }

  // 5. Tap targets on phones: at least 40 x 40 CSS px (the tappable box: padding counts). Exempt, as
  // WCAG 2.5.8's inline exception allows: a target laid out inline (or inline-block) inside running text (its block holds
  // more than 24 characters, some of them not the target's). A checkbox or radio counts with its label (their joint box);
  // a skip link only shows on focus.
  if (args.phone) {
    const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
    for (const el of document.querySelectorAll(targets)) {
      if (!visible(el) || el.disabled || el.closest(".skip-link")) continue;
      let box = el.getBoundingClientRect();
      if (el.matches("input[type=checkbox], input[type=radio]")) {
        const label = el.closest("label") || (el.id && document.querySelector("label[for='" + CSS.escape(el.id) + "']"));
        if (label) {  // the control and its label toggle the same thing: their joint box
          const own = box, other = label.getBoundingClientRect();
          const left = Math.min(own.left, other.left), top = Math.min(own.top, other.top);
          box = {width: Math.max(own.right, other.right) - left, height: Math.max(own.bottom, other.bottom) - top};
        }
      }
      if (box.width >= 40 && box.height >= 40) continue;
      // Inside running text (WCAG 2.5.8's inline exception). Browsers report a button set to
      // display: inline as inline-block, hence both.
      if (["inline", "inline-block"].includes(getComputedStyle(el).display)) {
        const block = el.parentElement.closest("p, li, dd, td, th, figcaption, blockquote, label, div");
        const around = block ? block.textContent.replace(/\s+/g, "").length - el.textContent.replace(/\s+/g, "").length : 0;
        if (around > 0 && block.textContent.replace(/\s+/g, "").length > 24) continue;
      }
      add("tap target", describe(el) + " " + Math.round(box.width) + "x" + Math.round(box.height));
    }
  }
  return problems;
}
