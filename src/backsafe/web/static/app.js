// backsafe: live progress on the analysis page (polls the JSON API), confirmation before deleting, the upload's
// choice of who to analyse (a tap on the clip's first frame).
// Plain JavaScript, served from this server; no third-party code.
(function () {
  "use strict";

  function pollJob(box) {
    var id = box.getAttribute("data-job-id");
    var bar = document.getElementById("job-progress");
    var text = document.getElementById("job-status");
    var err = document.getElementById("job-error");
    var done = document.getElementById("job-done");
    var link = document.getElementById("report-link");
    var delay = 800;

    function show(job) {
      box.setAttribute("data-status", job.status);
      if (job.percent !== null && job.percent !== undefined) {
        bar.value = job.percent;
      } else {
        bar.removeAttribute("value");
      }
      var s = job.status;
      if (job.stage && job.stage !== job.status) { s += " \u2014 " + job.stage; }
      if (job.percent !== null && job.percent !== undefined) { s += " (" + job.percent + "%)"; }
      text.textContent = s;
      if (job.status === "failed") {
        err.textContent = job.error || "the analysis failed";
        err.hidden = false;
      }
      if (job.status === "done" && job.report_id) {
        link.setAttribute("href", "/reports/" + encodeURIComponent(job.report_id));
        done.hidden = false;
      }
      return job.status === "done" || job.status === "failed";
    }

    function tick() {
      fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (job) { if (!show(job)) { setTimeout(tick, delay); } })
        .catch(function () { setTimeout(tick, 3000); });
    }
    var st = box.getAttribute("data-status");
    if (st !== "done" && st !== "failed") { tick(); }
  }

  // the analysis report rendered in the page (no fixed-height iframe): its body, without its own style or scripts,
  // laid out by app.css (tables scroll inside their box, plots and key frames scale to the screen)
  function loadReport(box) {
    fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (text) {
        // the report's own <style> block is dropped before parsing: the parsed document shares this page's
        // Content-Security-Policy, which allows no inline style (app.css lays the report out instead)
        text = text.replace(/<style[\s\S]*?<\/style>/gi, "");
        var doc = new DOMParser().parseFromString(text, "text/html");
        doc.querySelectorAll("script, style, link, meta, iframe, object, embed").forEach(function (n) { n.remove(); });
        // the page's Content-Security-Policy allows no inline style: app.css lays the report out instead
        doc.querySelectorAll("[style]").forEach(function (n) { n.removeAttribute("style"); });
        box.textContent = "";
        Array.prototype.forEach.call(doc.body.children, function (n) { box.appendChild(document.importNode(n, true)); });
        box.querySelectorAll("table").forEach(function (t) {
          // on a phone each row becomes a block of "label: value" lines (CSS), so a wide table fits 360 px
          var heads = Array.prototype.map.call(t.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
          t.querySelectorAll("tbody tr").forEach(function (tr) {
            Array.prototype.forEach.call(tr.children, function (td, i) { if (heads[i]) { td.setAttribute("data-label", heads[i]); } });
          });
          if (heads.length) { t.classList.add("stack"); }
          var wrap = document.createElement("div");
          wrap.className = "scroll";
          t.parentNode.insertBefore(wrap, t);
          wrap.appendChild(t);
        });
        box.setAttribute("data-loaded", "yes");
      })
      .catch(function () { box.textContent = "The report could not be loaded: open it on its own page below."; });
  }

  // Who to analyse: the select, or a tap on the chosen clip's first frame (a point x,y in fractions of the frame,
  // as `backsafe analyze --person x,y`). Both write the one field sent as `person`; without JavaScript the select
  // is sent under that name instead.
  function personChoice(field) {
    var choice = document.getElementById("person-choice"), input = document.getElementById("clip-input");
    var preview = document.getElementById("clip-preview"), video = document.getElementById("clip-frame");
    var marker = document.getElementById("person-marker"), tapped = document.getElementById("person-tapped");
    var url = null;  // the chosen file's blob: URL, revoked when another is chosen
    choice.removeAttribute("name");
    field.name = "person";

    function automatic() {
      field.value = choice.value;
      marker.hidden = true;
      tapped.hidden = true;
    }

    // where a tap lands on the picture, in fractions of the frame (null outside it): the video is drawn scaled to
    // fit its box and centred, so should the box be of another shape than the clip there are bars to leave out
    function framePoint(ev) {
      var w = video.videoWidth, h = video.videoHeight, box = video.getBoundingClientRect();
      if (!w || !h || !box.width || !box.height) { return null; }
      var scale = Math.min(box.width / w, box.height / h);
      var left = (box.width - w * scale) / 2, top = (box.height - h * scale) / 2;
      var x = (ev.clientX - box.left - left) / (w * scale), y = (ev.clientY - box.top - top) / (h * scale);
      if (x < 0 || x > 1 || y < 0 || y > 1) { return null; }
      return { x: x, y: y, left: (left + x * w * scale) / box.width, top: (top + y * h * scale) / box.height };
    }

    video.addEventListener("click", function (ev) {
      var p = framePoint(ev);
      if (!p) { return; }
      field.value = p.x.toFixed(3) + "," + p.y.toFixed(3);
      marker.style.left = (100 * p.left).toFixed(2) + "%";  // the CSSOM, which the page's CSP allows
      marker.style.top = (100 * p.top).toFixed(2) + "%";
      marker.hidden = false;
      tapped.hidden = false;
    });
    choice.addEventListener("change", automatic);
    document.getElementById("person-clear").addEventListener("click", automatic);
    input.addEventListener("change", function () {
      automatic();  // a point on another clip's frame means nothing on this one
      preview.hidden = true;
      if (url) { URL.revokeObjectURL(url); url = null; }
      var file = input.files && input.files[0];
      if (!file) { video.removeAttribute("src"); return; }
      url = URL.createObjectURL(file);  // the file stays on the phone until the form is sent
      video.src = url;
    });
    // some phones (iOS Safari) draw no picture of a video that was never played or moved: move it to its start
    video.addEventListener("loadedmetadata", function () { video.currentTime = 0.001; });
    video.addEventListener("loadeddata", function () { preview.hidden = false; });
    // a clip this browser cannot show (the server may still read it): no preview, the select still chooses
    video.addEventListener("error", function () { preview.hidden = true; });
    automatic();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var person = document.getElementById("person-field");
    if (person) { personChoice(person); }
    var box = document.getElementById("job");
    if (box) { pollJob(box); }
    var doc = document.getElementById("report-doc");
    if (doc) { loadReport(doc); }
    var delReport = document.getElementById("delete-report-form");
    if (delReport) {
      delReport.addEventListener("submit", function (e) {
        if (!window.confirm("Delete this report? This cannot be undone.")) { e.preventDefault(); }
      });
    }
    var del = document.getElementById("delete-form");
    if (del) {
      del.addEventListener("submit", function (e) {
        if (!window.confirm("Delete your account and all its data? This cannot be undone.")) { e.preventDefault(); }
      });
    }
  });
})();

// "Film now": the same file input, opened on the phone's back camera (the `capture` attribute); without it the
// input keeps the file picker, so a clip already on the phone can still be chosen (issue 19)
document.addEventListener("click", (ev) => {
  const btn = ev.target.closest && ev.target.closest("[data-capture-for]");
  if (!btn) return;
  const input = document.getElementById(btn.getAttribute("data-capture-for"));
  if (!input) return;
  input.setAttribute("capture", "environment");
  input.click();
  setTimeout(() => input.removeAttribute("capture"), 0);
});
