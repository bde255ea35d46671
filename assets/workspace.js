// The institution's workspace: its courses, a course's roster with full names, the
// roster CSV upload (importEnrolments), results one by one (recordResults) and by CSV
// (importResults), and the course's certificates with their QR codes.
(function () {
  "use strict";
  var T = window.Talent, M = T.M, el = T.el, fmt = T.fmt;
  var course = null;
  var RESULT = "{ passedCount failedCount refusedCount results { index changed error { code field message } } }";

  function loadCourses() {
    return T.gql("{ courses(first: 100) { totalCount edges { node { id title track level hours startsOn endsOn enrolledCount } } } }")
      .then(function (data) {
        var nodes = data.courses.edges.map(function (e) { return e.node; });
        var box = document.getElementById("course-table");
        if (!nodes.length) { box.textContent = ""; box.appendChild(el("caption", {}, [M.no_courses])); return; }
        T.table(box, [M.course, M.track, M.hours, M.enrolled, M.dates, ""], nodes.map(function (c) {
          var open = el("button", { type: "button", class: "link", "data-course": c.id }, [M.open]);
          open.addEventListener("click", function () { openCourse(c); });
          var level = c.level ? " · " + M.level_prefix + c.level + M.level_suffix : "";
          return [c.title, fmt.vocab("track", c.track) + level, fmt.int(c.hours), fmt.int(c.enrolledCount),
            fmt.date(c.startsOn) + " – " + fmt.date(c.endsOn), open];
        }), [2, 3]);
      })
      .catch(function (err) { T.status(T.explain(err), true); });
  }

  function loadRoster() {
    return T.gql("query($c: ID!) { enrolments(first: 100, filter: {courseId: $c}) { totalCount edges { node {" +
      " status score trainee { name idNumberMasked phone } certificate { number } } } } }", { c: course.id })
      .then(function (data) {
        var rows = data.enrolments.edges.map(function (e) {
          var n = e.node;
          return [n.trainee.name, n.trainee.idNumberMasked, n.trainee.phone || M.none,
            fmt.vocab("enrolment", n.status), n.score === null ? M.none : String(n.score),
            n.certificate ? n.certificate.number : M.none];
        });
        var box = document.getElementById("roster");
        T.table(box, [M.name, M.id_number, M.phone, M.status, M.score, M.f_number], rows, [4]);
        if (!rows.length) { box.appendChild(el("caption", {}, [M.no_enrolments])); }
        if (data.enrolments.totalCount > rows.length) { box.appendChild(el("caption", {}, [M.more_rows])); }
      });
  }

  function loadCertificates() {
    return T.gql("query($c: ID!) { certificates(first: 100, filter: {courseId: $c}) { edges { node {" +
      " number status issuedOn holder { name } verificationUrl } } } }", { c: course.id })
      .then(function (data) {
        var box = document.getElementById("certificates");
        var rows = data.certificates.edges.map(function (e) {
          var n = e.node, qr = "/verify/qr.svg?number=" + encodeURIComponent(n.number);
          return [n.number, n.holder.name, fmt.date(n.issuedOn), fmt.vocab("status", n.status),
            el("a", { href: n.verificationUrl, target: "_blank", rel: "noopener" },
              [el("img", { class: "qr", src: qr, alt: M.qr + " " + n.number, loading: "lazy" }, [])])];
        });
        T.table(box, [M.f_number, M.holder, M.issued_on, M.status, M.qr], rows, []);
        if (!rows.length) { box.appendChild(el("caption", {}, [M.no_certificates])); }
      });
  }

  function reload() {
    return Promise.all([loadRoster(), loadCertificates(), loadCourses()])
      .catch(function (err) { T.status(T.explain(err), true); });
  }

  function openCourse(c) {
    course = c;
    document.getElementById("course").hidden = false;
    document.getElementById("course-title").textContent = c.title;
    ["roster-result", "results-result"].forEach(function (id) { document.getElementById(id).textContent = ""; });
    reload().then(function () { document.getElementById("course").scrollIntoView(); });
  }

  // A summary line and the refused rows (line number, field, reason).
  function report(box, summary, results) {
    box.textContent = "";
    box.appendChild(el("p", { class: "panel", role: "status" }, [summary]));
    var refused = results.filter(function (r) { return r.error; });
    if (!refused.length) { return; }
    box.appendChild(el("h4", {}, [M.refused_rows]));
    var t = el("table", { class: "refused" }, []);
    T.table(t, [M.line, M.field, M.reason], refused.map(function (r) {
      return [String(r.index), r.error.field || M.none, r.error.message];
    }), [0]);
    box.appendChild(el("div", { class: "table-wrap" }, [t]));
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return fmt.int(values[k]); });
  }

  function onRosterUpload(e) {
    e.preventDefault();
    var file = e.target.elements.file.files[0], box = document.getElementById("roster-result");
    if (!file) { return; }
    box.textContent = M.loading;
    T.upload("mutation($in: ImportEnrolmentsInput!) { importEnrolments(input: $in) { createdCount failedCount" +
      " results { index created error { code field message } } } }", { "in": { courseId: course.id, file: null } }, "in.file", file)
      .then(function (data) {
        var p = data.importEnrolments;
        report(box, fill(M.uploaded, { created: p.createdCount, failed: p.failedCount }), p.results);
        e.target.reset();
        return reload();
      })
      .catch(function (err) { box.textContent = T.explain(err); });
  }

  function resultsDone(box, p) {
    report(box, fill(M.recorded, { passed: p.passedCount, failedCount: p.failedCount, refused: p.refusedCount }), p.results);
    return reload();
  }

  function onResultOne(e) {
    e.preventDefault();
    var f = e.target.elements, box = document.getElementById("results-result");
    var row = { idNumber: f.idNumber.value.trim(), passed: f.passed.value === "true" };
    if (f.score.value !== "") { row.score = Number(f.score.value); }
    if (f.assessedOn.value) { row.assessedOn = f.assessedOn.value; }
    T.gql("mutation($in: RecordResultsInput!) { recordResults(input: $in) " + RESULT + " }",
      { "in": { courseId: course.id, results: [row] } })
      .then(function (data) { e.target.reset(); return resultsDone(box, data.recordResults); })
      .catch(function (err) { box.textContent = T.explain(err); });
  }

  function onResultsUpload(e) {
    e.preventDefault();
    var file = e.target.elements.file.files[0], box = document.getElementById("results-result");
    if (!file) { return; }
    T.upload("mutation($in: ImportResultsInput!) { importResults(input: $in) " + RESULT + " }",
      { "in": { courseId: course.id, file: null } }, "in.file", file)
      .then(function (data) { e.target.reset(); return resultsDone(box, data.importResults); })
      .catch(function (err) { box.textContent = T.explain(err); });
  }

  document.getElementById("roster-upload").addEventListener("submit", onRosterUpload);
  document.getElementById("result-one").addEventListener("submit", onResultOne);
  document.getElementById("results-upload").addEventListener("submit", onResultsUpload);
  T.start(function () { loadCourses(); });
})();
