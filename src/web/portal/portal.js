// Optional enhancement: the portal works without it. Forms marked data-confirm ask first.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// The alert list: "select all on this page" and keyboard triage. Without JavaScript the
// checkboxes and the bulk bar's buttons do the same.
(function () {
  var form = document.getElementById("bulk");
  if (!form) {
    return;
  }
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var rows = Array.prototype.slice.call(form.querySelectorAll("tbody tr"));
  var page = document.getElementById("select-page");
  if (page) {
    page.addEventListener("change", function () {
      form.querySelectorAll("input.pick").forEach(function (box) { box.checked = page.checked; });
    });
  }
  var at = -1;
  function move(step) {
    if (rows.length === 0) { return; }
    if (at >= 0) { rows[at].classList.remove("cursor"); }
    at = Math.max(0, Math.min(rows.length - 1, at + step));
    rows[at].classList.add("cursor");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  function submit(action) {
    var button = document.getElementById("bulk-" + action);
    if (!button) { return; }
    if (!form.querySelector("input.pick:checked") && at >= 0) {
      var box = rows[at].querySelector("input.pick");
      if (box) { box.checked = true; }
    }
    button.click();
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) && target.type !== "checkbox") { return; }
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x":
        if (at >= 0) {
          var box = rows[at].querySelector("input.pick");
          if (box) { box.checked = !box.checked; }
        }
        break;
      case "a": submit("acknowledge"); break;
      case "r": submit("resolve"); break;
      case "Enter":
        if (at < 0 || (target && /^(A|BUTTON)$/.test(target.tagName))) { return; }
        var link = rows[at].querySelector("td.summary a");
        if (link) { link.click(); }
        break;
      case "?":
        var help = document.getElementById("shortcuts");
        if (help && help.showModal) { help.showModal(); }
        break;
      default: return;
    }
    event.preventDefault();
  });
})();

// The live list: new alerts announced in a banner, changed rows and the counts updated in
// place, the triggered count in the title. Without JavaScript the page works as before.
(function () {
  var table = document.getElementById("alerts");
  var banner = document.getElementById("live-banner");
  if (!banner || !window.EventSource) {
    return;
  }
  var source = new EventSource((table && table.getAttribute("data-live")) || "/portal/alerts/stream");
  var fresh = 0;
  source.addEventListener("alert.created", function () {
    fresh += 1;
    document.getElementById("live-new").textContent = String(fresh);
    banner.hidden = false;
  });
  function changed(event) {
    var alert = JSON.parse(event.data);
    var row = table && table.querySelector('tr[data-id="' + alert.id + '"]');
    if (!row) { return; }
    var badge = row.querySelector('[data-field="status"]');
    if (badge) {
      badge.textContent = alert.status;
      badge.className = "badge st-" + alert.status;
    }
    if (!alert.assignee_id) {
      var assignee = row.querySelector('[data-field="assignee"]');
      if (assignee) { assignee.textContent = "—"; }
    }
  }
  ["alert.acknowledged", "alert.unacknowledged", "alert.assigned", "alert.unassigned", "alert.resolved"]
    .forEach(function (name) { source.addEventListener(name, changed); });
  // A repeat (dedup) counts one more event, seen just now.
  source.addEventListener("alert.deduplicated", function (event) {
    var alert = JSON.parse(event.data);
    var row = table && table.querySelector('tr[data-id="' + alert.id + '"]');
    if (!row) { return; }
    var count = row.querySelector('[data-field="event_count"]');
    if (count) { count.textContent = String(alert.event_count); }
    var seen = row.querySelector('[data-field="last_seen"]');
    if (seen) {
      seen.setAttribute("datetime", alert.last_seen_at);
      seen.title = alert.last_seen_at;
      seen.textContent = "just now";
    }
  });
  source.addEventListener("counts", function (event) {
    var counts = JSON.parse(event.data);
    counts.open = counts.triggered + counts.acknowledged;
    Object.keys(counts).forEach(function (key) {
      var badge = document.querySelector('[data-count="' + key + '"]');
      if (badge) { badge.textContent = String(counts[key]); }
    });
    document.title = (counts.triggered > 0 ? "(" + counts.triggered + ") " : "") + "Alerts · OneProtect Triage";
  });
  source.addEventListener("reset", function () { window.location.reload(); });
})();

// Copy buttons next to a secret shown once (without JavaScript the text is selectable).
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () { button.textContent = "Copied"; });
    }
  });
});
