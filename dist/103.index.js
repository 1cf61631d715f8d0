export const id = 103;
export const ids = [103];
export const modules = {

/***/ 8103:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   archiveKind: () => (/* binding */ archiveKind),
/* harmony export */   extractArchive: () => (/* binding */ extractArchive)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_util__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1922);
/* harmony import */ var _plan_patterns_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4232);






const exec = (0,node_util__WEBPACK_IMPORTED_MODULE_3__.promisify)(node_child_process__WEBPACK_IMPORTED_MODULE_0__.execFile);
/** Archive kinds `extract: true` unpacks, by file name. */
function archiveKind(file) {
    const name = file.toLowerCase();
    if (name.endsWith('.zip'))
        return 'zip';
    if (name.endsWith('.tar.gz') || name.endsWith('.tgz'))
        return 'tgz';
    if (name.endsWith('.tar.xz') || name.endsWith('.txz'))
        return 'txz';
    if (name.endsWith('.tar'))
        return 'tar';
    return undefined;
}
const TAR_FLAGS = { tar: 'x', tgz: 'xz', txz: 'xJ' };
/**
 * Unpacks an archive where it lies, then removes it. Members are checked before anything is
 * written (no absolute paths, no `..`, no links leading outside), unpacked into a temporary
 * folder beside the archive, and only then moved into place: a corrupt or hostile archive
 * leaves nothing behind. Returns the absolute paths of the extracted files.
 */
async function extractArchive(file) {
    const kind = archiveKind(file);
    if (!kind)
        return [file];
    const dir = node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(file);
    const temp = node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, `.${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(file)}.artdl-extract`);
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(temp, { recursive: true, force: true });
    try {
        await checkMembers(file, kind);
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(temp, { recursive: true });
        // @actions/tool-cache is loaded only when an archive is unpacked: it is not on the start-up path.
        const tc = await __webpack_require__.e(/* import() */ 805).then(__webpack_require__.bind(__webpack_require__, 9805));
        if (kind === 'zip')
            await tc.extractZip(file, temp);
        else
            await tc.extractTar(file, temp, TAR_FLAGS[kind]);
        const files = await walk(temp);
        await checkLinks(temp);
        const placed = [];
        for (const f of files) {
            const to = node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, node_path__WEBPACK_IMPORTED_MODULE_2__.relative(temp, f));
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(to), { recursive: true });
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename(f, to);
            placed.push(to);
        }
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(file, { force: true });
        return placed;
    }
    catch (err) {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(file, { force: true });
        throw err instanceof _common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .AttemptError */ .cb
            ? err
            : new _common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .AttemptError */ .cb('unsafe', `cannot extract ${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(file)}: ${firstLine((0,_common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .messageOf */ .bD)(err))}`);
    }
    finally {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(temp, { recursive: true, force: true });
    }
}
async function checkMembers(file, kind) {
    let names;
    const links = [];
    try {
        if (kind === 'zip') {
            names = (await exec('unzip', ['-Z1', file], { maxBuffer: 256 * 1024 * 1024 })).stdout
                .split('\n')
                .filter(Boolean);
        }
        else {
            const flag = { tar: '', tgz: 'z', txz: 'J' }[kind];
            const verbose = (await exec('tar', [`-t${flag}vf`, file], { maxBuffer: 256 * 1024 * 1024 })).stdout
                .split('\n')
                .filter(Boolean);
            names = [];
            for (const line of verbose) {
                // `lrwxrwxrwx user/group 0 date time name -> target`
                const m = /^(\S)\S*\s+\S+\s+\d+\s+\S+\s+\S+\s+(.*)$/.exec(line);
                if (!m)
                    continue;
                if (m[1] === 'l' || m[1] === 'h') {
                    const [name, target] = m[2].split(' -> ');
                    names.push(name);
                    links.push([name, target ?? '']);
                }
                else
                    names.push(m[2]);
            }
        }
    }
    catch (err) {
        throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .AttemptError */ .cb('unsafe', `cannot extract ${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(file)}: the archive is corrupt (${firstLine((0,_common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .messageOf */ .bD)(err))})`);
    }
    for (const name of names) {
        const reason = (0,_plan_patterns_js__WEBPACK_IMPORTED_MODULE_5__/* .unsafeName */ .gj)(name.replace(/\/$/, '').replace(/^\.\//, ''));
        if (reason && name !== './') {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .AttemptError */ .cb('unsafe', `refused to extract ${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(file)}: member '${name}' ${reason}`);
        }
    }
    for (const [name, target] of links) {
        const resolved = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.normalize(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.dirname(name), target));
        if (target.startsWith('/') || resolved.startsWith('..')) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .AttemptError */ .cb('unsafe', `refused to extract ${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(file)}: link '${name}' points outside the archive ('${target}')`);
        }
    }
}
/** Every regular file and link under a folder. */
async function walk(dir) {
    const out = [];
    for (const entry of await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir(dir, { withFileTypes: true })) {
        const full = node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, entry.name);
        if (entry.isDirectory())
            out.push(...(await walk(full)));
        else
            out.push(full);
    }
    return out;
}
/** Refuses any extracted link that resolves outside the extraction folder (zip symlinks are not listed by -Z1). */
async function checkLinks(root) {
    for (const f of await walk(root)) {
        const stat = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat(f);
        if (!stat.isSymbolicLink())
            continue;
        const target = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readlink(f);
        const resolved = node_path__WEBPACK_IMPORTED_MODULE_2__.resolve(node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(f), target);
        const rel = node_path__WEBPACK_IMPORTED_MODULE_2__.relative(root, resolved);
        if (node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute(target) || rel.startsWith('..')) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .AttemptError */ .cb('unsafe', `refused to extract: link '${node_path__WEBPACK_IMPORTED_MODULE_2__.relative(root, f)}' points outside the archive ('${target}')`);
        }
    }
}
function firstLine(text) {
    return text.split('\n').find((l) => l.trim()) ?? text;
}


/***/ })

};

//# sourceMappingURL=103.index.js.map