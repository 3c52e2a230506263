// The report's browser script, kept as plain JavaScript text: it is inlined into report.html next to uPlot and
// runs with no network. It draws one chart per series and records what it drew in window.__report.
export const CLIENT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var pts = data.points;
  var t = pts.map(function (p) { return p.t; });
  var charts = [
    { id: 'reqs', title: 'Requests per second', unit: 'req/s', series: [
      { label: 'requests/s', key: 'reqRate', stroke: '#3274d9', fill: 'rgba(50,116,217,0.12)' },
      { label: 'failed/s (http_req_failed)', key: 'failRate', stroke: '#e02f44' }] },
    { id: 'p95', title: 'p95 latency (http_req_duration)', unit: 'ms', series: [
      { label: 'p95 ms', key: 'p95', stroke: '#ff9830' }] },
    { id: 'r429', title: 'HTTP 429 responses per second', unit: '429/s', series: [
      { label: '429/s', key: 'rate429', stroke: '#e02f44', fill: 'rgba(224,47,68,0.12)' }] },
  ];
  if (data.names.retries) charts.push({ id: 'retries', title: 'Retries per second (' + data.names.retries + ')',
    unit: 'retries/s', series: [{ label: 'retries/s', key: 'retryRate', stroke: '#8f3bb8' }] });
  if (data.names.finalFailures) charts.push({ id: 'final', unit: 'failures/s',
    title: 'Failures after retries per second (' + data.names.finalFailures + ')',
    series: [{ label: 'final failures/s', key: 'finalFailRate', stroke: '#c4162a', fill: 'rgba(196,22,42,0.12)' }] });
  if (data.webSockets) charts.push({ id: 'ws', title: 'WebSocket traffic per second (k6/ws)', unit: 'per s',
    series: [{ label: 'sessions opened/s', key: 'wsSessionRate', stroke: '#37872d' },
      { label: 'frames sent/s', key: 'wsSentRate', stroke: '#3274d9' },
      { label: 'frames received/s', key: 'wsRecvRate', stroke: '#ff9830' }] });
  charts.push({ id: 'vus', title: 'Virtual users', unit: 'VUs', series: [
    { label: 'vus', key: 'vus', stroke: '#37872d', fill: 'rgba(55,135,45,0.12)' }] });

  var host = document.getElementById('charts');
  var width = Math.max(320, Math.min(1100, host.clientWidth || 900));
  window.__report = { charts: [] };
  charts.forEach(function (c) {
    var box = document.createElement('section');
    box.className = 'chart';
    box.id = 'chart-' + c.id;
    var h = document.createElement('h2');
    h.textContent = c.title;
    box.appendChild(h);
    host.appendChild(box);
    var series = [{ label: 'time (s)' }];
    var columns = [t];
    c.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.stroke, fill: s.fill, width: 2, spanGaps: true,
        points: { show: pts.length < 60 } });
      columns.push(pts.map(function (p) { return p[s.key]; }));
    });
    var plot = new uPlot({
      width: width, height: 220, series: series,
      // Rates and counts: the axis starts at zero, so a steady 429 rate does not look like a spike.
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [{ label: 'seconds since start' }, { label: c.unit }],
    }, columns, box);
    var drawn = 0;
    var peak = 0;
    for (var i = 1; i < columns.length; i++) {
      for (var j = 0; j < columns[i].length; j++) {
        var v = columns[i][j];
        if (v === null || v === undefined) continue;
        drawn++;
        if (v > peak) peak = v;
      }
    }
    window.__report.charts.push({ id: c.id, title: c.title, points: drawn, peak: peak, plot: plot });
  });
})();
`;
