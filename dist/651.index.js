export const id = 651;
export const ids = [651];
export const modules = {

/***/ 4651:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   digestsOf: () => (/* binding */ digestsOf),
/* harmony export */   isMarker: () => (/* binding */ isMarker),
/* harmony export */   markerPath: () => (/* binding */ markerPath),
/* harmony export */   readRecord: () => (/* binding */ readRecord),
/* harmony export */   removeRecord: () => (/* binding */ removeRecord),
/* harmony export */   writeRecord: () => (/* binding */ writeRecord)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
// A completed extraction leaves a small record beside where its archive lay: the archive's
// size and digests, and the files it unpacked. The archive itself is removed once unpacked, so
// without the record a re-run could not tell a tree that is complete from one a killed run left
// half-written, nor know that the archive on the server is the one that was unpacked.




/** Where the record of `archive`'s extraction lives: a hidden file beside it. */
function markerPath(archive) {
    return node_path__WEBPACK_IMPORTED_MODULE_3__.join(node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(archive), `.${node_path__WEBPACK_IMPORTED_MODULE_3__.basename(archive)}.artdl-extracted.json`);
}
/** Whether a file name is an extraction's record (it lists no file of the archive's). */
function isMarker(name) {
    return name.startsWith('.') && name.endsWith('.artdl-extracted.json');
}
/** Size, SHA-256 and SHA-1 of a file, in one read. */
async function digestsOf(file) {
    const sha256 = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    const sha1 = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha1');
    let size = 0;
    for await (const chunk of node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream(file)) {
        sha256.update(chunk);
        sha1.update(chunk);
        size += chunk.length;
    }
    return { size, sha256: sha256.digest('hex'), sha1: sha1.digest('hex') };
}
/** Writes the record (whole or not at all: a rename into place). */
async function writeRecord(archive, record) {
    const dir = node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(archive);
    const body = JSON.stringify({
        version: 1,
        size: record.size,
        sha256: record.sha256,
        sha1: record.sha1,
        files: record.files.map((f) => node_path__WEBPACK_IMPORTED_MODULE_3__.relative(dir, f).split(node_path__WEBPACK_IMPORTED_MODULE_3__.sep).join('/')),
    });
    const marker = markerPath(archive);
    const temp = `${marker}.tmp`;
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile(temp, body);
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename(temp, marker);
}
/** Removes the record: the tree it describes is about to change. */
async function removeRecord(archive) {
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm(markerPath(archive), { force: true });
}
/**
 * The record of `archive`'s extraction when it is whole and every file it lists is still
 * there, else undefined: a missing file means the tree is no longer what was unpacked.
 */
async function readRecord(archive) {
    const dir = node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(archive);
    let raw;
    try {
        raw = JSON.parse(await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile(markerPath(archive), 'utf8'));
    }
    catch {
        return undefined;
    }
    const r = raw;
    if (typeof r.size !== 'number' ||
        typeof r.sha256 !== 'string' ||
        typeof r.sha1 !== 'string' ||
        !Array.isArray(r.files) ||
        !r.files.every((f) => typeof f === 'string')) {
        return undefined;
    }
    const files = r.files.map((f) => node_path__WEBPACK_IMPORTED_MODULE_3__.resolve(dir, f));
    // Only files under the folder: the record is a file on disk, not to be trusted further.
    if (files.some((f) => node_path__WEBPACK_IMPORTED_MODULE_3__.relative(dir, f).startsWith('..')))
        return undefined;
    for (const f of files) {
        if (!(await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.lstat(f).catch(() => undefined)))
            return undefined;
    }
    return { size: r.size, sha256: r.sha256, sha1: r.sha1, files };
}


/***/ })

};

//# sourceMappingURL=651.index.js.map