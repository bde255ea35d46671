// The city's dashboard: programmeProgress (every goal as a bar) and stats (newly
// certified persons per month per track, the breakdown by district), exactly as the API
// answers them for the signed-in caller; the CSV exports with the same token.
(function () {
  "use strict";
  var T = window.Talent, M = T.M, el = T.el, fmt = T.fmt;
  var form = document.getElementById("filters");
  var PERSON_GOALS = { CERTIFIED_HOSTS: "HOST", CERTIFIED_PROFESSIONALS: "PROFESSIONAL" };

  var QUERY = "query($p: ID, $f: StatsFilter) {" +
    " progress: programmeProgress(programmeId: $p) { asOf final programme { id name startsOn endsOn }" +
    "  targets { track target certified inTraining ratio projectedReachDate reachedOn }" +
    "  goals { kind target achieved ratio projectedReachDate reachedOn requiredPerMonth onTrack } }" +
    " monthly: stats(filter: $f, groupBy: [MONTH, TRACK]) { month track certifiedPersons }" +
    " districts: stats(filter: $f, groupBy: [DISTRICT]) { district trainees enrolments completions certifiedPersons } }";

  function filters() {
    var f = {};
    ["programmeId", "track", "district", "from", "to"].forEach(function (k) {
      var v = form.elements[k].value;
      if (v) { f[k] = v; }
    });
    return f;
  }

  function goalCard(goal, targets) {
    var track = PERSON_GOALS[goal.kind];
    var target = track && targets.filter(function (t) { return t.track === track; })[0];
    var bar = el("span", {});
    bar.style.width = Math.min(goal.ratio, 1) * 100 + "%";
    var facts = [
      [M.achieved_of, fmt.pct(goal.ratio)],
      target ? [M.in_training, fmt.int(target.inTraining)] : null,
      [M.projected, fmt.date(goal.projectedReachDate)],
      [M.reached, fmt.date(goal.reachedOn)]
    ].filter(Boolean);
    return el("div", { class: "goal", "data-kind": goal.kind, "data-achieved": goal.achieved,
      "data-target": goal.target, "data-ratio": goal.ratio }, [
      el("h3", {}, [fmt.vocab("goal", goal.kind)]),
      el("div", { class: "figure" }, [
        el("span", { class: "achieved" }, [fmt.int(goal.achieved)]),
        el("small", {}, [" / ", el("span", { class: "target" }, [fmt.int(goal.target)])])
      ]),
      el("div", { class: goal.onTrack ? "meter" : "meter behind", role: "img",
        "aria-label": fmt.pct(goal.ratio) }, [bar]),
      el("dl", {}, facts.reduce(function (acc, f) {
        return acc.concat([el("dt", {}, [f[0]]), el("dd", { class: "ratio" }, [f[1]])]);
      }, []).concat([el("dt", {}, [""]), el("dd", { class: goal.onTrack ? "ontrack" : "offtrack" },
        [goal.onTrack ? M.on_track : M.off_track])]))
    ]);
  }

  function drawGoals(progress) {
    document.getElementById("as-of").textContent = progress.programme.name + " · " +
      progress.programme.startsOn + " – " + progress.programme.endsOn + " · " + M.as_of + " " +
      progress.asOf + (progress["final"] ? " " + M.final_figures : "");
    var box = document.getElementById("goal-bars");
    box.textContent = "";
    progress.goals.forEach(function (g) { box.appendChild(goalCard(g, progress.targets)); });
  }

  // Grouped bars, one group per month, one bar per track; plain SVG.
  function drawChart(rows) {
    var box = document.getElementById("chart");
    box.textContent = "";
    var months = [], byKey = {}, max = 0;
    rows.forEach(function (r) {
      if (months.indexOf(r.month) < 0) { months.push(r.month); }
      byKey[r.month + r.track] = r.certifiedPersons;
      max = Math.max(max, r.certifiedPersons);
    });
    months.sort();
    if (!months.length) { box.appendChild(el("p", {}, [M.chart_empty])); return; }
    var tracks = ["HOST", "PROFESSIONAL"], left = 48, bottom = 28, h = 220;
    var group = Math.max(14, Math.min(48, 900 / months.length)), w = left + group * months.length + 8;
    var step = Math.pow(10, Math.floor(Math.log10(Math.max(max, 1))));
    var top = Math.ceil(Math.max(max, 1) / step) * step;
    var svg = el("svg:svg", { viewBox: "0 0 " + w + " " + (h + bottom), role: "img", "aria-label": M.chart_title });
    for (var i = 0; i <= 4; i++) {
      var y = h - (h - 10) * i / 4;
      svg.appendChild(el("svg:line", { x1: left, x2: w, y1: y, y2: y }));
      svg.appendChild(el("svg:text", { x: left - 6, y: y + 4, "text-anchor": "end" }, [fmt.int(top * i / 4)]));
    }
    var every = Math.ceil(months.length / 12);
    months.forEach(function (m, mi) {
      var x = left + mi * group;
      tracks.forEach(function (t, ti) {
        var v = byKey[m + t] || 0, bh = (h - 10) * v / top, bw = (group - 4) / 2;
        var bar = el("svg:rect", { class: t, x: x + 2 + ti * bw, y: h - bh, width: bw, height: bh,
          "data-month": m, "data-track": t, "data-value": v });
        bar.appendChild(el("svg:title", {}, [m + " " + fmt.vocab("track", t) + ": " + fmt.int(v)]));
        svg.appendChild(bar);
      });
      if (mi % every === 0) {
        svg.appendChild(el("svg:text", { x: x + group / 2, y: h + 18, "text-anchor": "middle" }, [m]));
      }
    });
    box.appendChild(svg);
    box.appendChild(el("p", { class: "legend" }, tracks.map(function (t) {
      return el("span", {}, [el("span", { class: "swatch " + t }, []), fmt.vocab("track", t)]);
    })));
  }

  function districtName(value) {
    var opt = form.elements.district.querySelector("option[value=\"" + CSS.escape(value || "") + "\"]");
    return opt && value ? opt.textContent : (value || M.none);
  }

  function drawDistricts(rows) {
    rows.sort(function (a, b) { return b.certifiedPersons - a.certifiedPersons; });
    T.table(document.getElementById("district-table"),
      [M.district, M.trainees, M.enrolments, M.completions, M.certified_persons],
      rows.map(function (r) {
        return [districtName(r.district), fmt.int(r.trainees), fmt.int(r.enrolments),
          fmt.int(r.completions), fmt.int(r.certifiedPersons)];
      }), [1, 2, 3, 4]);
  }

  function refresh() {
    var f = filters();
    T.status(M.loading);
    return T.gql(QUERY, { p: f.programmeId || null, f: f }).then(function (data) {
      T.status("");
      drawGoals(data.progress);
      drawChart(data.monthly);
      drawDistricts(data.districts);
      if (!form.elements.programmeId.value) { form.elements.programmeId.value = data.progress.programme.id; }
    }).catch(function (err) { T.status(T.explain(err), true); });
  }

  function loadProgrammes() {
    return T.gql("{ programmes { id name } }").then(function (data) {
      var select = form.elements.programmeId;
      select.textContent = "";
      data.programmes.forEach(function (p) { select.appendChild(el("option", { value: p.id }, [p.name])); });
      select.value = "";
    }).catch(function () { return null; });
  }

  function exportPath(kind) {
    var f = filters(), q = new URLSearchParams();
    if (kind === "stats") {
      q.set("groupBy", "DISTRICT,MONTH");
      Object.keys(f).forEach(function (k) { q.set(k, f[k]); });
    } else if (f.programmeId) {
      q.set("programmeId", f.programmeId);
    }
    var query = q.toString();
    return "/exports/" + kind + ".csv" + (query ? "?" + query : "");
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-export]"), function (button) {
    button.addEventListener("click", function () {
      T.download(exportPath(button.dataset.export)).catch(function (err) { T.status(err.message, true); });
    });
  });
  T.start(function () { loadProgrammes().then(refresh); });
})();
