export const id = 994;
export const ids = [994];
export const modules = {

/***/ 7994:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SUMMARY_FULL_TABLE_MAX: () => (/* binding */ SUMMARY_FULL_TABLE_MAX),
/* harmony export */   summaryMarkdown: () => (/* binding */ summaryMarkdown)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _common_units_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8570);
/* harmony import */ var _totals_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2947);
/* harmony import */ var _results_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8940);
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5655);





/** Above this many files the table keeps the failures and the largest files only. */
const SUMMARY_FULL_TABLE_MAX = 100;
const SUMMARY_LARGEST = 50;
const SUMMARY_FAILURES_MAX_CHARS = 512 * 1024;
/**
 * The job summary as Markdown: headline, failures first, then the files. Stays far below
 * GitHub's 1 MiB limit (beyond it the runner drops the whole summary) at any number of files.
 */
function summaryMarkdown(results, facts, redact) {
    const t = (0,_totals_js__WEBPACK_IMPORTED_MODULE_3__/* .totals */ .S)(results);
    const ok = results.filter((r) => !(0,_results_js__WEBPACK_IMPORTED_MODULE_4__/* .isEntryFailure */ .DA)(r) && r.status !== 'failed' && r.status !== 'cancelled');
    return [
        ...headline(t, facts),
        ...failureTable((0,_results_js__WEBPACK_IMPORTED_MODULE_4__/* .failures */ .e9)(results), redact),
        ...fileTables(ok, facts.target, redact),
    ].join('\n');
}
/** Title, the counts in one line, and the notes a reader should not miss. */
function headline(t, facts) {
    const title = facts.dryRun ? 'Artifactory download (dry run)' : 'Artifactory download';
    const icon = t.failed + t.cancelled > 0 ? '❌' : '✅';
    const out = [`## ${icon} ${title}`, '', counts(t, facts).join(' · '), ''];
    if (facts.minConcurrency < facts.concurrency) {
        out.push(`Concurrency: lowered to ${facts.minConcurrency} (of ${facts.concurrency}) while the server pushed back.`, '');
    }
    if (t.notVerified)
        out.push(`⚠️ ${t.notVerified} file(s) not verified: the server sent no checksum.`, '');
    return out;
}
/** A dry run counts what it would do; a real run what is in place, how fast, and the retries. */
function counts(t, facts) {
    const head = facts.dryRun
        ? [`**${t.planned}** to download`, `**${t.upToDate}** up to date`, `**${t.failed}** failed`]
        : [
            `**${t.inPlace}/${t.files}** files in place (${t.downloaded} downloaded, ${t.upToDate} up to date)`,
            `**${(0,_common_units_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(t.bytes)}** in ${(0,_common_units_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(facts.wallMs)} (${(0,_common_units_js__WEBPACK_IMPORTED_MODULE_1__/* .formatRate */ .CE)(t.bytes, facts.wallMs)})`,
            `**${t.retries}** retries`,
            `**${t.failed}** failed`,
        ];
    if (t.cancelled)
        head.push(`**${t.cancelled}** cancelled`);
    if (facts.sync) {
        head.push(facts.sync.skipped
            ? `nothing deleted (sync-deletes: ${facts.sync.skipped})`
            : `**${facts.sync.deleted}** ${facts.dryRun ? 'to delete' : 'deleted'} (sync-deletes)`);
    }
    return head;
}
/** Failures first, so that they are read before the files; none, no table. */
function failureTable(failed, redact) {
    if (!failed.length)
        return [];
    const out = [
        `### Failures (${failed.length})`,
        '',
        '| Source | Error | Attempts |',
        '| --- | --- | ---: |',
    ];
    // At most 1000 rows and about 512 KiB: escaped server text can be several times its length.
    let listed = 0;
    let size = 0;
    for (const f of failed) {
        if (listed === 1000 || size > SUMMARY_FAILURES_MAX_CHARS)
            break;
        const row = `| ${(0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(f.source, redact)} | ${(0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .esc */ .UQ)(f.message, redact)} | ${f.attempts} |`;
        out.push(row);
        size += row.length;
        listed++;
    }
    if (failed.length > listed)
        out.push('', `…and ${failed.length - listed} more failures (see the \`errors\` output).`);
    out.push('');
    return out;
}
/** Every file in one table, or past {@link SUMMARY_FULL_TABLE_MAX} the largest and a count per folder. */
function fileTables(ok, target, redact) {
    if (!ok.length)
        return [];
    const table = (rows) => [
        '| Source | Destination | Size | Time | Attempts | Status |',
        '| --- | --- | ---: | ---: | ---: | --- |',
        ...rows.map((r) => fileRow(r, target, redact)),
    ];
    if (ok.length <= SUMMARY_FULL_TABLE_MAX)
        return [`### Files (${ok.length})`, '', ...table(ok), ''];
    const largest = largestOf(ok, SUMMARY_LARGEST);
    return [
        `### Largest ${largest.length} of ${ok.length} files`,
        '',
        ...table(largest),
        '',
        `<details><summary>All ${ok.length} files by folder</summary>`,
        '',
        ...byFolder(ok, target, redact),
        '',
        '</details>',
        '',
    ];
}
/**
 * The `count` largest, as a stable sort by size (largest first) would give them: equal sizes in
 * run order. Kept in one short array: no copy and no sort of every file.
 */
function largestOf(results, count) {
    const top = [];
    for (const r of results) {
        const size = r.size ?? 0;
        if (top.length === count && size <= (top[count - 1].size ?? 0))
            continue;
        // After every kept file at least as large: equal sizes stay in run order.
        let at = top.length;
        while (at > 0 && (top[at - 1].size ?? 0) < size)
            at--;
        top.splice(at, 0, r);
        if (top.length > count)
            top.pop();
    }
    return top;
}
function fileRow(r, target, redact) {
    return `| ${(0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.download.source, redact)} | ${(0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)((0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .relativeDest */ .R6)(r.download.dest, target), redact)} | ${r.size !== undefined ? (0,_common_units_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(r.size) : '–'} | ${r.status === 'downloaded' ? (0,_common_units_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(r.durationMs) : '–'} | ${r.attempts} | ${statusText(r)} |`;
}
function statusText(r) {
    switch (r.status) {
        case 'downloaded':
            return r.verified ? `downloaded, ${r.verified} ✓` : 'downloaded, not verified';
        case 'up-to-date':
            return 'up to date';
        case 'planned':
            return 'would download';
        default:
            return r.status;
    }
}
/** Files counted per destination folder: bounded text for any number of files. */
function byFolder(results, target, redact) {
    const folders = new Map();
    for (const r of results) {
        const folder = node_path__WEBPACK_IMPORTED_MODULE_0__.dirname((0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .relativeDest */ .R6)(r.download.dest, target));
        const f = folders.get(folder) ?? { files: 0, bytes: 0 };
        f.files++;
        f.bytes += r.size ?? 0;
        folders.set(folder, f);
    }
    const rows = [...folders.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
    const rowsShown = rows.slice(0, 500);
    const lines = [
        '| Folder | Files | Size |',
        '| --- | ---: | ---: |',
        ...rowsShown.map(([f, s]) => `| ${(0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(f, redact)} | ${s.files} | ${(0,_common_units_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(s.bytes)} |`),
    ];
    if (rows.length > rowsShown.length)
        lines.push('', `…and ${rows.length - rowsShown.length} more folders.`);
    return lines;
}


/***/ })

};

//# sourceMappingURL=994.index.js.map