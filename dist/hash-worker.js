import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/engine/hash-worker.ts
// The hashing thread (started by HashPool in hasher.ts). It follows each file on disk: it reads
// back what the main thread reports written (from the page cache) and hashes it, so nothing is
// copied between threads and the main thread is left with receiving and writing.
//
// dist/ ships it as JavaScript, bundled on its own (scripts/build.ts); from src/ (tests) Node
// runs this file as it is, stripping its types, so it uses erasable TypeScript only. It imports
// nothing but Node's own modules, so that a thread starts without loading anything else.



const jobs = new Map();
const buffer = Buffer.allocUnsafe(1024 * 1024);
/** Hashes the job's file up to `upTo`, reading what is not hashed yet. */
function catchUp(job, upTo) {
    job.fd ??= external_node_fs_namespaceObject.openSync(job.path, 'r');
    while (job.hashed < upTo) {
        const want = Math.min(buffer.length, upTo - job.hashed);
        const n = external_node_fs_namespaceObject.readSync(job.fd, buffer, 0, want, job.hashed);
        if (n === 0)
            throw new Error(`the file ends at byte ${job.hashed}, before ${upTo}`);
        job.hash.update(buffer.subarray(0, n));
        job.hashed += n;
    }
}
function hash_worker_close(id) {
    const job = jobs.get(id);
    jobs.delete(id);
    if (job?.fd !== undefined)
        external_node_fs_namespaceObject.closeSync(job.fd);
}
function reply(message) {
    external_node_worker_threads_namespaceObject.parentPort?.postMessage(message);
}
/** Handles one request from the main thread. */
function handle(m) {
    if (m.op === 'open') {
        jobs.set(m.id, { path: m.path, hash: (0,external_node_crypto_namespaceObject.createHash)(m.algorithm), hashed: 0 });
        return;
    }
    const job = jobs.get(m.id);
    if (!job)
        return;
    if (m.op === 'close') {
        hash_worker_close(m.id);
        return;
    }
    try {
        if (m.op === 'advance') {
            if (job.error === undefined)
                catchUp(job, m.upTo);
            return;
        }
        if (job.error !== undefined)
            throw job.error;
        catchUp(job, m.total);
        const digest = job.hash.digest('hex');
        hash_worker_close(m.id);
        reply({ id: m.id, digest });
    }
    catch (error) {
        if (m.op === 'advance') {
            job.error = error;
            return;
        }
        try {
            hash_worker_close(m.id);
        }
        catch {
            // The descriptor is gone with the job either way.
        }
        reply({ id: m.id, error: error instanceof Error ? error.message : String(error) });
    }
}
external_node_worker_threads_namespaceObject.parentPort?.on('message', handle);

