export const id = 429;
export const ids = [429];
export const modules = {

/***/ 1429:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   cacheTool: () => (/* binding */ cacheTool),
/* harmony export */   toolCacheFolder: () => (/* binding */ toolCacheFolder),
/* harmony export */   toolCacheHit: () => (/* binding */ toolCacheHit),
/* harmony export */   toolCacheVersion: () => (/* binding */ toolCacheVersion)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var semver__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2088);
/* harmony import */ var semver__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(semver__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _extract_marker_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4651);






/**
 * The folder name `@actions/tool-cache`'s `cacheDir` gives `version`: `semver.clean(version)`
 * when that is full semver (`v1.2.3+b4` is `1.2.3`), else the version as written (`25.1`,
 * `21`, `2024-01`), so that the lookup finds exactly the folder `cacheDir` wrote.
 */
function toolCacheVersion(version) {
    return semver__WEBPACK_IMPORTED_MODULE_4___default().clean(version) || version;
}
/** `RUNNER_TOOL_CACHE/name/version/arch`, where `cacheDir` stores name@version. Pure. */
function toolCacheFolder(root, name, version, arch) {
    return node_path__WEBPACK_IMPORTED_MODULE_3__.join(root, name, toolCacheVersion(version), arch);
}
/**
 * The cached folder of name@version for this machine's architecture, or undefined. Looked up
 * directly rather than with `find`, which takes a version that is not full semver for a range
 * (`21` would pick a `21.0.5` that setup-java cached) or never finds it (`2024-01`). The
 * `.complete` marker beside the folder says `cacheDir` finished copying.
 */
async function findCachedTool(name, version) {
    const root = process.env.RUNNER_TOOL_CACHE;
    // Said before any download: `cacheDir` would only fail once everything is downloaded.
    if (!root)
        throw new Error("Input 'tool-cache' needs RUNNER_TOOL_CACHE, which runners set; it is not set");
    const folder = toolCacheFolder(root, name, version, node_os__WEBPACK_IMPORTED_MODULE_2__.arch());
    const isDir = (await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat(folder).catch(() => undefined))?.isDirectory();
    const complete = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat(`${folder}.complete`).then(() => true, () => false);
    return isDir && complete ? folder : undefined;
}
/** On a tool-cache hit, sets the outputs and returns true: no request is made. */
async function toolCacheHit(settings) {
    const { name, version } = settings.toolCache;
    const found = await findCachedTool(name, version);
    if (!found) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('cache-hit', 'false');
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`tool cache: ${name}@${version} not cached yet; downloading`);
        return false;
    }
    const files = await listFiles(found);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`tool cache: ${name}@${version} found at ${found}; nothing to download`);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('cache-hit', 'true');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('path', found);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('files', JSON.stringify(files));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('downloaded', String(files.length));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('failed', '0');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('errors', '[]');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('bytes', '0');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('unverified', '0');
    await addToPath(settings, found);
    return true;
}
/** After a complete download: stores `target` in the tool cache as name@version. */
async function cacheTool(settings) {
    const { name, version } = settings.toolCache;
    const tc = await __webpack_require__.e(/* import() */ 805).then(__webpack_require__.bind(__webpack_require__, 9805));
    const cached = await tc.cacheDir(settings.target, name, version);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`tool cache: stored ${settings.target} as ${name}@${version} (${cached})`);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('path', cached);
    await addToPath(settings, cached);
}
/** With `add-to-path`: the folder's `bin` (or the folder itself, when it has none) on PATH. */
async function addToPath(settings, folder) {
    if (!settings.addToPath)
        return;
    const bin = node_path__WEBPACK_IMPORTED_MODULE_3__.join(folder, 'bin');
    const dir = (await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat(bin).catch(() => undefined))?.isDirectory() ? bin : folder;
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .addPath */ .fM(dir);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`added ${dir} to PATH`);
}
/** Every file under `dir` but the action's extraction records, sorted: the `files` output of a cache hit. */
async function listFiles(dir) {
    const entries = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir(dir, { recursive: true, withFileTypes: true });
    return entries
        .filter((e) => e.isFile() && !(0,_extract_marker_js__WEBPACK_IMPORTED_MODULE_5__/* .isMarker */ .rg)(e.name))
        .map((e) => node_path__WEBPACK_IMPORTED_MODULE_3__.join(e.parentPath, e.name))
        .sort();
}


/***/ })

};

//# sourceMappingURL=429.index.js.map