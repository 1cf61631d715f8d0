export const id = 334;
export const ids = [334];
export const modules = {

/***/ 9334:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  archiveKind: () => (/* binding */ archiveKind),
  extractArchive: () => (/* binding */ extractArchive),
  listMembers: () => (/* binding */ listMembers)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/common/errors.ts
var errors = __webpack_require__(1922);
// EXTERNAL MODULE: ./src/engine/temp-file.ts
var temp_file = __webpack_require__(5369);
// EXTERNAL MODULE: ./src/extract/marker.ts
var marker = __webpack_require__(4651);
// EXTERNAL MODULE: ./src/common/file-names.ts
var file_names = __webpack_require__(7750);
// EXTERNAL MODULE: ./src/common/server-text.ts
var server_text = __webpack_require__(1740);
;// CONCATENATED MODULE: ./src/extract/members.ts




/** A member's name as a message may show it: the archive's author chose it. */
const shownName = (name) => (0,server_text/* serverText */.Tn)(name, 200);
/** The first non-empty line of a library's message. */
function firstLine(text) {
    return text.split('\n').find((l) => l.trim()) ?? text;
}
/** A member's name without `./` in front or `/` behind, as it lands under the folder. */
const clean = (m) => m.name.replace(/\/+$/, '').replace(/^(\.\/)+/, '');
/**
 * Refuses the archive, naming the member and the rule, when a member would land outside the
 * folder (whatever its type), has a name the runner's OS cannot create or would change, or is
 * one file with another member on this target (`Readme.md` and `README.md` where case does not
 * count). The same name rules as downloads ({@link pathNameProblem}): node-tar would otherwise
 * swap `:` and `?` for look-alike characters on Windows, a rename nobody asked for.
 */
function checkMembers(name, members, rules = {}) {
    // A link is checked by where it points from its own folder as named; a member below a link
    // is written where the link leads on disk, which such a check cannot see (links that each
    // stay inside chain out). node-tar refuses them too; the zip unpacker would follow them.
    const links = new Set(
    // Without case: on Windows and macOS 'A' is the folder of 'a/x'.
    members
        .filter((m) => m.type === 'symlink' || m.type === 'hardlink')
        .map((m) => clean(m).toLowerCase()));
    const refuse = (m, why) => {
        throw new errors/* AttemptError */.cb('unsafe', `refused to extract ${name}: member '${shownName(m.name)}' ${why}`);
    };
    for (const m of members) {
        const cleanName = clean(m);
        if (cleanName === '' || cleanName === '.')
            continue;
        // node-tar strips a drive (`C:/x`, `a:b`) on every OS: the member would land under another name.
        const reason = (0,file_names/* unsafeName */.gj)(cleanName) ?? (/^[a-zA-Z]:/.test(cleanName) ? 'is an absolute path' : undefined);
        if (reason)
            refuse(m, reason);
        const problem = (0,file_names/* pathNameProblem */.ao)(cleanName, rules.names ?? 'posix');
        if (problem)
            refuse(m, `cannot be written on ${(0,file_names/* rulesOs */._3)(rules.names ?? 'posix')}: ${problem}`);
        const under = links.size ? linkAbove(cleanName, links) : undefined;
        if (under !== undefined)
            refuse(m, `lies under the link '${shownName(under)}'`);
        if (m.type !== 'symlink' && m.type !== 'hardlink')
            continue;
        const target = m.link ?? '';
        const from = m.type === 'symlink' ? external_node_path_.posix.dirname(cleanName) : '.';
        const resolved = external_node_path_.posix.normalize(external_node_path_.posix.join(from, target));
        if (target === '' ||
            target.startsWith('/') ||
            /^[a-zA-Z]:/.test(target) ||
            target.includes('\\') ||
            resolved === '..' ||
            resolved.startsWith('../')) {
            throw new errors/* AttemptError */.cb('unsafe', `refused to extract ${name}: link '${shownName(m.name)}' points outside the archive ('${shownName(target)}')`);
        }
    }
    checkClash(name, members, rules);
}
/** Refuses two members that are one file on this target (folders merge, and are left out). */
function checkClash(name, members, folding) {
    if (!folding.caseInsensitive && !folding.normalizationInsensitive)
        return;
    const clash = (0,file_names/* firstClash */.Y)(members.filter((m) => m.type !== 'directory').map(clean), folding);
    if (!clash)
        return;
    const [a, b] = clash;
    const how = (0,file_names/* howNamesDiffer */.LY)(a, b);
    throw new errors/* AttemptError */.cb('unsafe', `refused to extract ${name}: a ${how === 'only in case' ? 'case' : 'name'} clash: members '${shownName(a)}' and '${shownName(b)}' differ ${how} and are one file on this target`);
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

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: ./node_modules/tar/dist/esm/index.min.js
var index_min = __webpack_require__(8697);
;// CONCATENATED MODULE: ./src/extract/tar.ts
// node-tar lists and unpacks tar and tar.gz; .tar.xz is decompressed by the `xz` program into
// the same node-tar path. Every step takes the run's AbortSignal.






const TAR_TYPES = {
    File: 'file',
    OldFile: 'file',
    ContiguousFile: 'file',
    Directory: 'directory',
    GNUDumpDir: 'directory',
    SymbolicLink: 'symlink',
    Link: 'hardlink',
};
/** Every member of a tar archive; a damaged header fails the archive. */
async function listTar(file, kind, signal) {
    const members = [];
    // strict: a damaged header is an error, not a warning that skips the member.
    const parser = new index_min/* Parser */.iX({
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
/** Unpacks a tar archive into `temp` with the library that listed its members. */
async function unpackTar(file, kind, temp, signal) {
    const unpacker = new index_min/* Unpack */.dX({
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
        return external_node_fs_.createReadStream(file, { highWaterMark: 8 * 1024 });
    // node-tar reads no xz: the `xz` program decompresses (macOS and Linux runners have it).
    const child = (0,external_node_child_process_.spawn)('xz', ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out = child.stdout;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
        if (stderr.length < 4096)
            stderr += d;
    });
    child.on('error', (err) => {
        out.destroy(err.code === 'ENOENT'
            ? new errors/* AttemptError */.cb('unsafe', `cannot extract ${shownName(external_node_path_.basename(file))}: .tar.xz needs the xz program, which is not on PATH`)
            : err);
    });
    child.on('close', (code) => {
        if (code)
            out.destroy(new Error(firstLine(stderr) || `xz exited with ${code}`));
    });
    return out;
}

// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./node_modules/yauzl/index.js
var yauzl = __webpack_require__(663);
;// CONCATENATED MODULE: ./src/extract/zip.ts
// yauzl lists and unpacks zip, reading the central directory; every step takes the run's
// AbortSignal.





/** Every member of a zip archive (a symlink's target is its content). */
async function listZip(file, signal) {
    const members = [];
    await eachZipEntry(file, signal, async (zip, e) => {
        const link = e.type === 'symlink' ? await readEntryText(zip, e.entry, 4096) : undefined;
        members.push({ name: e.name, type: e.type, link });
    });
    return members;
}
/** Unpacks a zip archive into `temp` with the library that listed its members. */
async function unpackZip(file, temp, signal) {
    await eachZipEntry(file, signal, async (zip, e) => {
        const to = external_node_path_.join(temp, e.name);
        if (e.type === 'directory') {
            await promises_.mkdir(to, { recursive: true });
            return;
        }
        await promises_.mkdir(external_node_path_.dirname(to), { recursive: true });
        if (e.type === 'symlink') {
            await promises_.symlink(await readEntryText(zip, e.entry, 4096), to);
            return;
        }
        const body = await openEntry(zip, e.entry);
        // Keep the executable bits a zip from a Unix system carries; nothing else.
        const mode = e.mode & 0o111 ? 0o755 : 0o644;
        await (0,external_node_stream_promises_.pipeline)(body, external_node_fs_.createWriteStream(to, { mode, flags: 'wx' }), { signal });
    });
}
/** Opens a zip and walks its central directory; `each` sees every entry in order. */
async function eachZipEntry(file, signal, each) {
    const zip = await new Promise((resolve, reject) => 
    // decodeStrings off: yauzl would refuse `..` and absolute names itself, with a message of
    // its own; the names are decoded below and checked by the same rule as tar members.
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))));
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
                const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
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

;// CONCATENATED MODULE: ./src/extract/archive.ts
// Archives are read by libraries, not by parsing what a `tar` program prints: GNU tar and
// bsdtar (macOS, Windows) print members differently, and a listing that cannot be parsed must
// refuse the archive rather than let it through. Every step takes the run's AbortSignal: a
// cancelled step stops unpacking, removes what it wrote and the archive, and ends well within
// the runner's grace period.









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
/**
 * Unpacks an archive where it lies, then removes it. Members are checked before anything is
 * written (no absolute paths, no `..`, no links leading outside, no name the runner's OS cannot
 * create, no two members that are one file on the target), unpacked into a temporary folder
 * beside the archive, and only then moved into place: a corrupt, hostile or cancelled archive
 * leaves nothing behind. A completed extraction is recorded (marker.ts), so an archive that is
 * still there after its tree was completed is not unpacked again. Returns the absolute paths of
 * the extracted files.
 */
async function extractArchive(file, signal, io = {}, options = {}) {
    const kind = archiveKind(file);
    if (!kind)
        return [file];
    const job = {
        file,
        kind,
        name: shownName(external_node_path_.basename(file)),
        dir: external_node_path_.dirname(file),
        temp: external_node_path_.join(external_node_path_.dirname(file), `.${external_node_path_.basename(file)}.artdl-extract`),
        moved: [],
        removeArchive: archiveRemover(file, io),
        signal,
    };
    await removeTree(job.temp);
    try {
        return await unpackInPlace(job, options);
    }
    catch (err) {
        throw await undoExtraction(job, err, options.root);
    }
    finally {
        await removeTree(job.temp);
    }
}
/** Removes the archive, again while a Windows scanner that opened it refuses for a moment. */
function archiveRemover(file, io) {
    return () => (0,temp_file/* whileBusy */.lr)(() => (io.remove ?? ((f) => promises_.rm(f, { force: true })))(file), io.wait ?? ((ms) => new Promise((r) => setTimeout(r, ms))), io.delaysMs);
}
/**
 * Checks, unpacks into the temporary folder and moves into place, then records the tree and
 * removes the archive. An archive recorded as unpacked before only goes.
 */
async function unpackInPlace(job, options) {
    const { file, kind, name, dir, temp, signal } = job;
    signal?.throwIfAborted();
    const digests = await (0,marker/* digestsOf */.nw)(file);
    const record = await (0,marker/* readRecord */.aE)(file);
    if (record && record.sha256 === digests.sha256) {
        // Unpacked completely before (a run stopped before it removed the archive).
        await job.removeArchive();
        return record.files;
    }
    checkMembers(name, await listMembers(file, kind, signal), options);
    await promises_.mkdir(temp, { recursive: true });
    if (kind === 'zip')
        await unpackZip(file, temp, signal);
    else
        await unpackTar(file, kind, temp, signal);
    const links = [];
    const files = await walk(temp, links);
    await checkLinks(name, temp, links);
    // The old record goes before the tree changes: a run killed while moving leaves none.
    await (0,marker/* removeRecord */.GI)(file);
    await moveInto(temp, dir, job.moved, signal);
    const placed = files.map((f) => external_node_path_.join(dir, external_node_path_.relative(temp, f)));
    await (0,marker/* writeRecord */.rh)(file, { ...digests, files: placed });
    await job.removeArchive();
    return placed;
}
/**
 * Takes back a failed or cancelled extraction (the archive, the temporary folder, the folders
 * left empty up to `root`, and on cancel what was already moved) and returns the error to throw.
 */
async function undoExtraction(job, err, root) {
    const { name, signal } = job;
    // What went wrong is the message, not a removal that failed after it.
    await job.removeArchive().catch(() => undefined);
    if (signal?.aborted) {
        // A cancelled extraction leaves nothing: what was already moved into place goes too.
        for (const m of job.moved)
            await removeTree(m);
    }
    await removeTree(job.temp);
    await removeEmptyFolders(job.dir, root);
    if (signal?.aborted) {
        return new errors/* AttemptError */.cb('cancelled', `extracting ${name} was cancelled`, { cause: err });
    }
    return err instanceof errors/* AttemptError */.cb
        ? err
        : new errors/* AttemptError */.cb('unsafe', `cannot extract ${name}: ${firstLine((0,errors/* messageOf */.bD)(err))}`);
}
/** Every member of an archive, read by a library; a member it cannot read fails the archive. */
async function listMembers(file, kind, signal) {
    try {
        return kind === 'zip' ? await listZip(file, signal) : await listTar(file, kind, signal);
    }
    catch (err) {
        if (signal?.aborted || err instanceof errors/* AttemptError */.cb)
            throw err;
        throw new errors/* AttemptError */.cb('unsafe', `cannot extract ${shownName(external_node_path_.basename(file))}: the archive is corrupt (${firstLine((0,errors/* messageOf */.bD)(err))})`);
    }
}
/**
 * Removes `dir` and the folders above it while they are empty, stopping below `root` (the
 * run's target): the download made them for the archive, and a failed extraction must not leave
 * them behind. Without a root nothing is removed.
 */
async function removeEmptyFolders(dir, root) {
    if (root === undefined)
        return;
    for (let d = dir;; d = external_node_path_.dirname(d)) {
        const rel = external_node_path_.relative(root, d);
        if (rel === '' || rel.startsWith('..') || external_node_path_.isAbsolute(rel))
            return;
        // rmdir removes only an empty folder: anything else ends the walk.
        if (!(await promises_.rmdir(d).then(() => true, () => false)))
            return;
    }
}
/**
 * Moves the unpacked tree into place: a folder that does not exist yet moves whole (one
 * rename for a folder of 1,000 files), one that does is merged into. `moved` records each
 * rename, so a cancelled run can take them back.
 */
async function moveInto(from, to, moved, signal) {
    for (const entry of await promises_.readdir(from, { withFileTypes: true })) {
        signal?.throwIfAborted();
        const src = external_node_path_.join(from, entry.name);
        const dst = external_node_path_.join(to, entry.name);
        const existing = await promises_.lstat(dst).catch(() => undefined);
        if (entry.isDirectory() && existing?.isDirectory())
            await moveInto(src, dst, moved, signal);
        else {
            await promises_.rename(src, dst);
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
        await promises_.rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
        await new Promise((r) => setTimeout(r, i === 0 ? 0 : 50));
        if (!external_node_fs_.existsSync(dir))
            return;
    }
}
/**
 * Every regular file and link under a folder, links also into `links` (a loop, not recursion
 * with spreads: archives can hold 100,000 members).
 */
async function walk(root, links) {
    const out = [];
    const folders = [root];
    for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
        for (const entry of await promises_.readdir(folder, { withFileTypes: true })) {
            const full = external_node_path_.join(folder, entry.name);
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
        const target = await promises_.readlink(f);
        const rel = external_node_path_.relative(root, external_node_path_.resolve(external_node_path_.dirname(f), target));
        if (external_node_path_.isAbsolute(target) || rel.startsWith('..') || external_node_path_.isAbsolute(rel)) {
            throw new errors/* AttemptError */.cb('unsafe', `refused to extract ${name}: link '${shownName(external_node_path_.relative(root, f))}' points outside the archive ('${shownName(target)}')`);
        }
    }
}


/***/ })

};

//# sourceMappingURL=334.index.js.map