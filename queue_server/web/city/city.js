// 就近办 (/city): every hall's live waits from GET /api/public/halls, and after picking a
// matter, GET /api/public/halls?matter=ID — the halls that can take it, quickest first.
// Public data only; nothing is stored. A failed read keeps the last answer on screen and says
// since when it is not live.
"use strict";

(function () {
  const REFRESH_MS = 15000;
  const HANDLING = { here: "本厅受理办理", cross_region: "市域通办：在此收件，由属地大厅办理" };
  const page = document.querySelector(".city-page");
  const picker = document.getElementById("matter");
  const offline = document.getElementById("offline");
  let lastUpdate = null;
  let timer = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(date) {
    return date.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function waitText(waiting, eta, open) {
    if (!open) return "暂停取号";
    if (eta === null) return "暂无窗口办理";
    if (waiting === 0) return "无需等候";
    return "等候 " + waiting + " 人 · 约 " + eta + " 分钟";
  }

  async function read(url) {
    const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  function hallCard(hall) {
    const item = el("li", "hall card");
    item.dataset.hall = hall.code;
    const head = el("div", "hall-head");
    head.append(el("h3", "hall-name", hall.name));
    head.append(el("span", hall.open_now ? "badge open" : "badge closed", hall.open_now ? "可取号" : "暂停取号"));
    item.append(head);
    if (hall.address) item.append(el("p", "address", hall.address));
    const queues = el("ul", "queues");
    for (const category of hall.categories) {
      const row = el("li", "queue");
      row.append(el("span", "queue-name", category.name));
      row.append(el("span", "queue-wait", waitText(category.waiting, category.eta_minutes, category.open)));
      queues.append(row);
    }
    item.append(queues);
    return item;
  }

  function choiceCard(choice, index) {
    const item = el("li", index === 0 && choice.category_open && choice.eta_minutes !== null ? "choice best" : "choice");
    item.dataset.hall = choice.code;
    if (item.classList.contains("best")) item.append(el("p", "best-label", "推荐：现在最快"));
    item.append(el("h3", "hall-name", choice.name));
    if (choice.address) item.append(el("p", "address", choice.address));
    item.append(el("p", "choice-wait", choice.category_name + "：" + waitText(choice.waiting, choice.eta_minutes, choice.category_open)));
    item.append(el("p", "handling", HANDLING[choice.handling] || ""));
    return item;
  }

  function showOffline(error) {
    page.dataset.state = lastUpdate ? "stale" : "error";
    offline.textContent = lastUpdate
      ? "网络连接中断，以下是 " + clock(lastUpdate) + " 的情况，恢复后自动更新"
      : "暂时无法获取各大厅的排队情况，请检查网络，页面会自动重试";
    offline.hidden = false;
    document.getElementById("halls-loading").hidden = true;
    if (error) console.warn("city page:", error);
  }

  async function refreshHalls() {
    const halls = await read("/api/public/halls");
    const list = document.getElementById("hall-list");
    list.replaceChildren(...halls.map(hallCard));
    document.getElementById("halls-loading").hidden = true;
  }

  async function refreshWhere() {
    const where = document.getElementById("where");
    const matter = picker.value;
    if (!matter) {
      where.hidden = true;
      return;
    }
    const choices = await read("/api/public/halls?matter=" + encodeURIComponent(matter));
    const list = document.getElementById("where-list");
    list.replaceChildren(...choices.map(choiceCard));
    const name = picker.options[picker.selectedIndex].textContent;
    document.getElementById("where-note").textContent = choices.length
      ? "可以办理“" + name + "”的大厅，按现在的等候时间排列："
      : "本市暂无大厅可以办理“" + name + "”。";
    where.hidden = false;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      await Promise.all([refreshHalls(), refreshWhere()]);
      lastUpdate = new Date();
      page.dataset.state = "live";
      offline.hidden = true;
      document.getElementById("updated").textContent = "更新于 " + clock(lastUpdate) + "，每 15 秒自动更新";
    } catch (error) {
      showOffline(error);
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  picker.addEventListener("change", function () {
    const url = new URL(window.location.href);
    if (picker.value) url.searchParams.set("matter", picker.value);
    else url.searchParams.delete("matter");
    history.replaceState(null, "", url);
    refresh();
  });
  window.addEventListener("online", refresh);
  window.addEventListener("offline", function () { showOffline(null); });

  const wanted = new URLSearchParams(window.location.search).get("matter");
  if (wanted && Array.from(picker.options).some(function (o) { return o.value === wanted; })) {
    picker.value = wanted;
  }
  refresh();
})();
