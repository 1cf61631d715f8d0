export const id = 103;
export const ids = [103];
export const modules = {

/***/ 8103:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   extractArchive: () => (/* binding */ extractArchive),
/* harmony export */   listMembers: () => (/* binding */ listMembers)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var tar__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8697);
/* harmony import */ var yauzl__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(663);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(1922);
/* harmony import */ var _common_server_text_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(1740);
/* harmony import */ var _plan_patterns_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(4232);
/* harmony import */ var _temp_file_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(5369);
// Archives are read by libraries, not by parsing what a `tar` program prints: GNU tar and
// bsdtar (macOS, Windows) print members differently, and a listing that cannot be parsed must
// refuse the archive rather than let it through. node-tar lists and unpacks tar and tar.gz;
// .tar.xz is decompressed by the `xz` program into the same node-tar path; yauzl lists and
// unpacks zip. Every step takes the run's AbortSignal: a cancelled step stops unpacking,
// removes what it wrote and the archive, and ends well within the runner's grace period.











/** The kind of archive a file name says it is, or undefined for any other file. */
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
/** A member's name as a message may show it: the archive's author chose it. */
const shownName = (name) => (0,_common_server_text_js__WEBPACK_IMPORTED_MODULE_8__/* .serverText */ .Tn)(name, 200);
/**
 * Unpacks an archive where it lies, then removes it. Members are checked before anything is
 * written (no absolute paths, no `..`, no links leading outside), unpacked into a temporary
 * folder beside the archive, and only then moved into place: a corrupt, hostile or cancelled
 * archive leaves nothing behind. Returns the absolute paths of the extracted files.
 */
async function extractArchive(file, signal, io = {}) {
    const kind = archiveKind(file);
    if (!kind)
        return [file];
    // A scanner that opened the fresh archive refuses its removal for a moment on Windows.
    const removeArchive = () => (0,_temp_file_js__WEBPACK_IMPORTED_MODULE_10__/* .whileBusy */ .lr)(() => (io.remove ?? ((f) => node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm(f, { force: true })))(file), io.wait ?? ((ms) => new Promise((r) => setTimeout(r, ms))), io.delaysMs);
    const name = shownName(node_path__WEBPACK_IMPORTED_MODULE_3__.basename(file));
    const dir = node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(file);
    const temp = node_path__WEBPACK_IMPORTED_MODULE_3__.join(dir, `.${node_path__WEBPACK_IMPORTED_MODULE_3__.basename(file)}.artdl-extract`);
    const moved = [];
    await removeTree(temp);
    try {
        signal?.throwIfAborted();
        checkMembers(name, await listMembers(file, kind, signal));
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir(temp, { recursive: true });
        await unpack(file, kind, temp, signal);
        const links = [];
        const files = await walk(temp, links);
        await checkLinks(name, temp, links);
        await moveInto(temp, dir, moved, signal);
        await removeArchive();
        return files.map((f) => node_path__WEBPACK_IMPORTED_MODULE_3__.join(dir, node_path__WEBPACK_IMPORTED_MODULE_3__.relative(temp, f)));
    }
    catch (err) {
        // What went wrong is the message, not a removal that failed after it.
        await removeArchive().catch(() => undefined);
        if (signal?.aborted) {
            // A cancelled extraction leaves nothing: what was already moved into place goes too.
            for (const m of moved)
                await removeTree(m);
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('cancelled', `extracting ${name} was cancelled`, { cause: err });
        }
        throw err instanceof _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb
            ? err
            : new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `cannot extract ${name}: ${firstLine((0,_common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .messageOf */ .bD)(err))}`);
    }
    finally {
        await removeTree(temp);
    }
}
/**
 * Moves the unpacked tree into place: a folder that does not exist yet moves whole (one
 * rename for a folder of 1,000 files), one that does is merged into. `moved` records each
 * rename, so a cancelled run can take them back.
 */
async function moveInto(from, to, moved, signal) {
    for (const entry of await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readdir(from, { withFileTypes: true })) {
        signal?.throwIfAborted();
        const src = node_path__WEBPACK_IMPORTED_MODULE_3__.join(from, entry.name);
        const dst = node_path__WEBPACK_IMPORTED_MODULE_3__.join(to, entry.name);
        const existing = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.lstat(dst).catch(() => undefined);
        if (entry.isDirectory() && existing?.isDirectory())
            await moveInto(src, dst, moved, signal);
        else {
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename(src, dst);
            moved.push(dst);
        }
    }
}
/**
 * Removes a folder even while a cancelled unpacker still finishes a file or two in it
 * (`ENOTEMPTY` is retried): cancelling must not leave the temporary folder behind. Node's own
 * `maxRetries` also retries EBUSY and EPERM, as a Windows scanner causes them.
 */
async function removeTree(dir) {
    for (let i = 0; i < 3; i++) {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
        await new Promise((r) => setTimeout(r, i === 0 ? 0 : 50));
        if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(dir))
            return;
    }
}
/** Every member of an archive, read by a library; a member it cannot read fails the archive. */
async function listMembers(file, kind, signal) {
    try {
        return kind === 'zip' ? await listZip(file, signal) : await listTar(file, kind, signal);
    }
    catch (err) {
        if (signal?.aborted || err instanceof _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb)
            throw err;
        throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `cannot extract ${shownName(node_path__WEBPACK_IMPORTED_MODULE_3__.basename(file))}: the archive is corrupt (${firstLine((0,_common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .messageOf */ .bD)(err))})`);
    }
}
/** Refuses any member that would land outside the folder, whatever its type. */
function checkMembers(name, members) {
    const clean = (m) => m.name.replace(/\/+$/, '').replace(/^(\.\/)+/, '');
    // A link is checked by where it points from its own folder as named; a member below a link
    // is written where the link leads on disk, which such a check cannot see (links that each
    // stay inside chain out). node-tar refuses them too; the zip unpacker would follow them.
    const links = new Set(
    // Without case: on Windows and macOS 'A' is the folder of 'a/x'.
    members
        .filter((m) => m.type === 'symlink' || m.type === 'hardlink')
        .map((m) => clean(m).toLowerCase()));
    for (const m of members) {
        const cleanName = clean(m);
        if (cleanName === '' || cleanName === '.')
            continue;
        const reason = (0,_plan_patterns_js__WEBPACK_IMPORTED_MODULE_9__/* .unsafeName */ .gj)(cleanName);
        if (reason) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `refused to extract ${name}: member '${shownName(m.name)}' ${reason}`);
        }
        const under = links.size ? linkAbove(cleanName, links) : undefined;
        if (under !== undefined) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `refused to extract ${name}: member '${shownName(m.name)}' lies under the link '${shownName(under)}'`);
        }
        if (m.type !== 'symlink' && m.type !== 'hardlink')
            continue;
        const target = m.link ?? '';
        const from = m.type === 'symlink' ? node_path__WEBPACK_IMPORTED_MODULE_3__.posix.dirname(cleanName) : '.';
        const resolved = node_path__WEBPACK_IMPORTED_MODULE_3__.posix.normalize(node_path__WEBPACK_IMPORTED_MODULE_3__.posix.join(from, target));
        if (target === '' ||
            target.startsWith('/') ||
            /^[a-zA-Z]:/.test(target) ||
            target.includes('\\') ||
            resolved === '..' ||
            resolved.startsWith('../')) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `refused to extract ${name}: link '${shownName(m.name)}' points outside the archive ('${shownName(target)}')`);
        }
    }
}
/** The first folder of `name` that is one of `links`, or undefined. */
function linkAbove(name, links) {
    for (let cut = name.indexOf('/'); cut > 0; cut = name.indexOf('/', cut + 1)) {
        const folder = name.slice(0, cut);
        if (links.has(folder.toLowerCase()))
            return folder;
    }
    return undefined;
}
const TAR_TYPES = {
    File: 'file',
    OldFile: 'file',
    ContiguousFile: 'file',
    Directory: 'directory',
    GNUDumpDir: 'directory',
    SymbolicLink: 'symlink',
    Link: 'hardlink',
};
async function listTar(file, kind, signal) {
    const members = [];
    // strict: a damaged header is an error, not a warning that skips the member.
    const parser = new tar__WEBPACK_IMPORTED_MODULE_5__/* .Parser */ .iX({
        strict: true,
        onReadEntry: (entry) => {
            members.push({
                name: entry.path,
                type: TAR_TYPES[entry.type] ?? 'other',
                link: entry.linkpath,
            });
            entry.resume();
        },
    });
    await feed(tarStream(file, kind, signal), parser, 'end', signal);
    return members;
}
/** Unpacks into `temp` with the library that listed the members. */
async function unpack(file, kind, temp, signal) {
    if (kind === 'zip')
        return unpackZip(file, temp, signal);
    const unpacker = new tar__WEBPACK_IMPORTED_MODULE_5__/* .Unpack */ .dX({
        cwd: temp,
        strict: true,
        // Files belong to the runner's user, not to whoever owned them where the archive was made.
        preserveOwner: false,
    });
    await feed(tarStream(file, kind, signal), unpacker, 'close', signal);
}
/**
 * Pipes `source` into a node-tar parser until it emits `done`; cancelling stops both at once.
 */
function feed(source, sink, done, signal) {
    return new Promise((resolve, reject) => {
        let settled = false;
        const finish = (err) => {
            if (settled)
                return;
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            if (err === undefined)
                resolve();
            else {
                source.destroy();
                reject(err);
            }
        };
        const onAbort = () => {
            // Stop reading and stop the parser. It still finishes the few members it has already
            // handed out (reads are small, see tarStream); removeTree outlasts those writes.
            source.unpipe(sink);
            source.destroy();
            sink.on('error', () => undefined);
            sink.abort(new Error('cancelled'));
            finish(signal?.reason ?? new Error('cancelled'));
        };
        if (signal?.aborted)
            return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        source.on('error', finish);
        sink.on('error', finish);
        sink.once(done, () => finish());
        source.pipe(sink);
    });
}
/** The uncompressed (or gzip, which node-tar detects) tar stream of an archive. */
function tarStream(file, kind, signal) {
    // Small reads: one 64 KiB read of a gzipped tar of tiny files holds thousands of members,
    // all of which would be unpacked before a cancellation could stop the parser.
    if (kind !== 'txz')
        return node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream(file, { highWaterMark: 8 * 1024 });
    // node-tar reads no xz: the `xz` program decompresses (macOS and Linux runners have it).
    const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)('xz', ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out = child.stdout;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
        if (stderr.length < 4096)
            stderr += d;
    });
    child.on('error', (err) => {
        out.destroy(err.code === 'ENOENT'
            ? new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `cannot extract ${shownName(node_path__WEBPACK_IMPORTED_MODULE_3__.basename(file))}: .tar.xz needs the xz program, which is not on PATH`)
            : err);
    });
    child.on('close', (code) => {
        if (code)
            out.destroy(new Error(firstLine(stderr) || `xz exited with ${code}`));
    });
    return out;
}
/** Opens a zip and walks its central directory; `each` sees every entry in order. */
async function eachZipEntry(file, signal, each) {
    const zip = await new Promise((resolve, reject) => 
    // decodeStrings off: yauzl would refuse `..` and absolute names itself, with a message of
    // its own; the names are decoded below and checked by the same rule as tar members.
    yauzl__WEBPACK_IMPORTED_MODULE_6__.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))));
    try {
        await new Promise((resolve, reject) => {
            const onAbort = () => reject(signal?.reason ?? new Error('cancelled'));
            signal?.addEventListener('abort', onAbort, { once: true });
            const done = (err) => {
                signal?.removeEventListener('abort', onAbort);
                if (err)
                    reject(err);
                else
                    resolve();
            };
            zip.on('error', done);
            zip.on('end', () => done());
            zip.on('entry', (entry) => {
                const raw = entry.fileName;
                const name = yauzl__WEBPACK_IMPORTED_MODULE_6__.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
                const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
                const kind = mode & 0o170000;
                const type = kind === 0o120000
                    ? 'symlink'
                    : name.endsWith('/') || kind === 0o040000
                        ? 'directory'
                        : 'file';
                each(zip, { name, entry, type, mode: mode & 0o777 }).then(() => (signal?.aborted ? undefined : zip.readEntry()), done);
            });
            zip.readEntry();
        });
    }
    finally {
        zip.close();
    }
}
async function listZip(file, signal) {
    const members = [];
    await eachZipEntry(file, signal, async (zip, e) => {
        // A zip symlink's target is its content.
        const link = e.type === 'symlink' ? await readEntryText(zip, e.entry, 4096) : undefined;
        members.push({ name: e.name, type: e.type, link });
    });
    return members;
}
async function unpackZip(file, temp, signal) {
    await eachZipEntry(file, signal, async (zip, e) => {
        const to = node_path__WEBPACK_IMPORTED_MODULE_3__.join(temp, e.name);
        if (e.type === 'directory') {
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir(to, { recursive: true });
            return;
        }
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir(node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(to), { recursive: true });
        if (e.type === 'symlink') {
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.symlink(await readEntryText(zip, e.entry, 4096), to);
            return;
        }
        const body = await openEntry(zip, e.entry);
        // Keep the executable bits a zip from a Unix system carries; nothing else.
        const mode = e.mode & 0o111 ? 0o755 : 0o644;
        await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(body, node_fs__WEBPACK_IMPORTED_MODULE_1__.createWriteStream(to, { mode, flags: 'wx' }), { signal });
    });
}
function openEntry(zip, entry) {
    return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}
async function readEntryText(zip, entry, max) {
    const chunks = [];
    let size = 0;
    for await (const chunk of await openEntry(zip, entry)) {
        size += chunk.length;
        if (size > max)
            throw new Error('a link target longer than 4 KiB');
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
/**
 * Every regular file and link under a folder, links also into `links` (a loop, not recursion
 * with spreads: archives can hold 100,000 members).
 */
async function walk(root, links) {
    const out = [];
    const folders = [root];
    for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
        for (const entry of await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readdir(folder, { withFileTypes: true })) {
            const full = node_path__WEBPACK_IMPORTED_MODULE_3__.join(folder, entry.name);
            if (entry.isDirectory())
                folders.push(full);
            else
                out.push(full);
            if (entry.isSymbolicLink())
                links.push(full);
        }
    }
    return out;
}
/** Refuses any extracted link that resolves outside the extraction folder (a second line of defence). */
async function checkLinks(name, root, links) {
    for (const f of links) {
        const target = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readlink(f);
        const rel = node_path__WEBPACK_IMPORTED_MODULE_3__.relative(root, node_path__WEBPACK_IMPORTED_MODULE_3__.resolve(node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(f), target));
        if (node_path__WEBPACK_IMPORTED_MODULE_3__.isAbsolute(target) || rel.startsWith('..') || node_path__WEBPACK_IMPORTED_MODULE_3__.isAbsolute(rel)) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AttemptError */ .cb('unsafe', `refused to extract ${name}: link '${shownName(node_path__WEBPACK_IMPORTED_MODULE_3__.relative(root, f))}' points outside the archive ('${shownName(target)}')`);
        }
    }
}
function firstLine(text) {
    return text.split('\n').find((l) => l.trim()) ?? text;
}


/***/ })

};

//# sourceMappingURL=103.index.js.map