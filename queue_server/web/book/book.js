// 预约取号 (/book): what can be booked from GET /api/public/appointments/options, a day's
// free places from GET /api/public/appointments/slots, the booking with
// POST /api/public/appointments, and its cancellation. The ID number goes only into the POST
// body and is cleared from the form once booked; nothing is stored in the browser.
"use strict";

(function () {
  const API = "/api/public/appointments";
  const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
  const page = document.querySelector(".book-page");
  const form = document.getElementById("form");
  const hallSelect = document.getElementById("hall");
  const categorySelect = document.getElementById("category");
  const matterSelect = document.getElementById("matter");
  const daysBox = document.getElementById("days");
  const slotsBox = document.getElementById("slots");
  const slotsNote = document.getElementById("slots-note");
  const idInput = document.getElementById("id-number");
  const phoneInput = document.getElementById("phone");
  const submit = document.getElementById("submit");
  const errorBox = document.getElementById("error");
  const done = document.getElementById("done");
  let halls = [];
  let booking = null;
  let slotsRequest = 0;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function option(value, text) {
    const node = el("option", "", text);
    node.value = value;
    return node;
  }

  function dayParts(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    return [month + "月" + day + "日", WEEKDAYS[weekday]];
  }

  function dayText(iso) {
    const [day, weekday] = dayParts(iso);
    return day + "（" + weekday + "）";
  }

  function timeText(isoDateTime, timeZone) {
    const parts = new Intl.DateTimeFormat("zh-CN", {
      timeZone: timeZone, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
    }).formatToParts(new Date(isoDateTime));
    const get = function (type) { return parts.find(function (p) { return p.type === type; }).value; };
    return get("month") + "月" + get("day") + "日 " + get("hour") + ":" + get("minute");
  }

  // The API's refusal in plain Chinese: its `detail`, or for a field pydantic refused, that
  // field's own message (the ID number's says what is wrong without repeating it).
  async function refusal(response) {
    if (response.status === 429) return "操作太频繁，请稍后再试";
    let body = null;
    try { body = await response.json(); } catch (error) { body = null; }
    if (body && Array.isArray(body.errors)) {
      const fields = { id_number: "身份证号码", phone: "手机号码" };
      for (const item of body.errors) {
        const field = item.loc && item.loc[item.loc.length - 1];
        if (fields[field]) return fields[field] + "有误：" + String(item.msg).replace(/^Value error, /, "");
      }
    }
    if (body && typeof body.detail === "string") return body.detail;
    return "暂时无法完成，请稍后再试（" + response.status + "）";
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
    if (text) errorBox.scrollIntoView({ block: "nearest" });
  }

  async function read(url) {
    const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(await refusal(response));
    return response.json();
  }

  function hall() {
    return halls.find(function (h) { return h.hall === hallSelect.value; });
  }

  function category() {
    const chosen = hall();
    return chosen && chosen.categories.find(function (c) { return c.code === categorySelect.value; });
  }

  function checked(box) {
    const input = box.querySelector("input:checked");
    return input ? input.value : "";
  }

  function radio(name, value, label, detail, disabled) {
    const wrap = el("label", "choice");
    const input = el("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    input.disabled = disabled;
    const face = el("span");
    face.append(el("b", "", label));
    if (detail) face.append(el("small", "", detail));
    wrap.append(input, face);
    return wrap;
  }

  function showMaterials() {
    const chosen = category();
    const matter = chosen && chosen.matters.find(function (m) { return m.id === matterSelect.value; });
    const box = document.getElementById("materials-box");
    const list = document.getElementById("materials");
    list.replaceChildren(...(matter ? matter.materials.map(function (m) { return el("li", "", m); }) : []));
    box.hidden = !matter || matter.materials.length === 0;
  }

  function fillCategory() {
    const chosen = category();
    matterSelect.replaceChildren(option("", "— 不指定 —"));
    for (const matter of chosen ? chosen.matters : []) matterSelect.append(option(matter.id, matter.name));
    showMaterials();
  }

  function fillHall() {
    const chosen = hall();
    document.getElementById("hall-address").textContent = chosen.address ? "地址：" + chosen.address : "";
    categorySelect.replaceChildren(...chosen.categories.map(function (c) { return option(c.code, c.name); }));
    fillCategory();
    daysBox.replaceChildren(...chosen.days.map(function (day) {
      const [date, weekday] = dayParts(day);
      return radio("day", day, date, weekday, false);
    }));
    document.getElementById("no-days").hidden = chosen.days.length > 0;
    clearSlots("请先选择日期。");
  }

  function clearSlots(note) {
    slotsBox.replaceChildren();
    slotsNote.textContent = note;
    slotsNote.hidden = false;
    update();
  }

  async function loadSlots() {
    const day = checked(daysBox);
    if (!day) { clearSlots("请先选择日期。"); return; }
    const request = ++slotsRequest;
    clearSlots("正在获取" + dayText(day) + "的时段…");
    const query = new URLSearchParams({ hall: hallSelect.value, category: categorySelect.value, day: day });
    try {
      const slots = await read(API + "/slots?" + query);
      if (request !== slotsRequest) return;
      slotsBox.replaceChildren(...slots.map(function (s) {
        const full = s.free === 0;
        return radio("slot", s.slot, s.slot + "–" + s.end, full ? "已约满" : "余 " + s.free + " 个", full);
      }));
      const open = slots.some(function (s) { return s.free > 0; });
      slotsNote.textContent = slots.length === 0 ? "该日没有可预约的时段，请换一天。"
        : open ? "" : "该日已约满，请换一天。";
      slotsNote.hidden = slotsNote.textContent === "";
      showError("");
    } catch (error) {
      if (request !== slotsRequest) return;
      clearSlots("");
      showError(error.message);
    }
    update();
  }

  function update() {
    const day = checked(daysBox);
    const slot = checked(slotsBox);
    const chosen = category();
    document.getElementById("summary").textContent = day && slot && chosen
      ? "将预约：" + dayText(day) + " " + slot + " · " + chosen.name : "";
    submit.disabled = !(day && slot && idInput.value.trim());
  }

  function showBooking(answer) {
    booking = answer;
    const zone = hall().timezone;
    document.getElementById("code").textContent = answer.code;
    const qr = document.getElementById("qr");
    qr.src = "/book/qr/" + encodeURIComponent(answer.code);
    qr.alt = "预约码 " + answer.code + " 的二维码，签到时对准取号机扫码口";
    document.getElementById("done-hall").textContent = answer.hall_name;
    document.getElementById("done-category").textContent = answer.category_name;
    document.getElementById("done-slot").textContent = dayText(answer.day) + " " + answer.slot + "–" + answer.end;
    document.getElementById("done-person").textContent = answer.id_masked || "";
    document.getElementById("check-in").textContent = "请在 " + timeText(answer.check_in_from, zone) +
      " 至 " + timeText(answer.check_in_until, zone) + " 之间，到大厅自助取号机扫码或输入预约码签到取号。";
    const materials = answer.materials || [];
    document.getElementById("done-materials").replaceChildren(...materials.map(function (m) { return el("li", "", m); }));
    document.getElementById("done-materials-box").hidden = materials.length === 0;
    document.getElementById("cancel-text").textContent = "如不能按时前来，请在 " +
      timeText(answer.cancel_until, zone) + " 前取消（点击下方按钮），把时段让给别人。多次预约不到将暂停预约资格。";
    document.getElementById("cancel").hidden = false;
    document.getElementById("cancelled").hidden = true;
    form.hidden = true;
    done.hidden = false;
    page.dataset.state = "booked";
    done.focus();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const body = {
      hall: hallSelect.value,
      category: categorySelect.value,
      day: checked(daysBox),
      slot: checked(slotsBox),
      id_number: idInput.value.trim().toUpperCase(),
    };
    if (matterSelect.value) body.matter = matterSelect.value;
    if (phoneInput.value.trim()) body.phone = phoneInput.value.trim();
    submit.disabled = true;
    submit.textContent = "正在提交…";
    try {
      const response = await fetch(API, {
        method: "POST",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status === 201) {
        idInput.value = "";
        phoneInput.value = "";
        showError("");
        showBooking(await response.json());
        return;
      }
      const text = await refusal(response);
      page.dataset.state = "refused";
      if (response.status === 409) await loadSlots();  // the places may have changed
      showError(text);
    } catch (error) {
      showError("网络连接中断，预约没有提交，请检查网络后重试");
    } finally {
      submit.textContent = "提交预约";
      update();
    }
  });

  document.getElementById("cancel").addEventListener("click", async function () {
    if (!booking) return;
    const status = document.getElementById("cancelled");
    try {
      const response = await fetch(API + "/" + encodeURIComponent(booking.code) + "/cancel", {
        method: "POST", cache: "no-store", headers: { Accept: "application/json" },
      });
      status.textContent = response.ok ? "已取消这个预约。" : await refusal(response);
      if (response.ok) {
        document.getElementById("cancel").hidden = true;
        page.dataset.state = "cancelled";
      }
    } catch (error) {
      status.textContent = "网络连接中断，没有取消，请稍后重试";
    }
    status.hidden = false;
  });

  document.getElementById("again").addEventListener("click", function () {
    booking = null;
    done.hidden = true;
    form.hidden = false;
    page.dataset.state = "ready";
    loadSlots();
  });

  hallSelect.addEventListener("change", fillHall);
  categorySelect.addEventListener("change", function () { fillCategory(); loadSlots(); });
  matterSelect.addEventListener("change", showMaterials);
  daysBox.addEventListener("change", loadSlots);
  slotsBox.addEventListener("change", update);
  idInput.addEventListener("input", update);

  async function start() {
    try {
      halls = await read(API + "/options");
    } catch (error) {
      document.getElementById("loading").hidden = true;
      page.dataset.state = "error";
      showError("暂时无法获取可预约的时间，请检查网络后刷新本页");
      return;
    }
    document.getElementById("loading").hidden = true;
    if (halls.length === 0) {
      page.dataset.state = "error";
      showError("暂无大厅接受预约，请到大厅现场取号");
      return;
    }
    hallSelect.replaceChildren(...halls.map(function (h) { return option(h.hall, h.hall_name); }));
    const wanted = new URLSearchParams(window.location.search).get("hall");
    if (halls.some(function (h) { return h.hall === wanted; })) hallSelect.value = wanted;
    fillHall();
    form.hidden = false;
    page.dataset.state = "ready";
  }

  start();
})();
