export const id = 688;
export const ids = [688];
export const modules = {

/***/ 1688:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  oidcToken: () => (/* binding */ oidcToken)
});

// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var core = __webpack_require__(6058);
// EXTERNAL MODULE: ./src/common/errors.ts
var errors = __webpack_require__(1922);
// EXTERNAL MODULE: ./src/net/http-client.ts + 5 modules
var http_client = __webpack_require__(6712);
// EXTERNAL MODULE: ./src/artifactory/json-body.ts + 1 modules
var json_body = __webpack_require__(811);
// EXTERNAL MODULE: ./src/artifactory/auth.ts
var auth = __webpack_require__(6674);
;// CONCATENATED MODULE: ./src/artifactory/oidc.ts




/**
 * Exchanges the job's GitHub ID token for a JFrog access token at
 * `POST {platform}/access/api/v1/oidc/token`.
 */
async function exchangeOidc(http, baseUrl, idToken, provider, signal) {
    const res = await http.request(`${(0,auth/* platformRoot */.GZ)(baseUrl)}/access/api/v1/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
            grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
            subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
            subject_token: idToken,
            provider_name: provider,
        }),
        signal,
    });
    if (res.status !== 200)
        throw await (0,http_client/* statusError */.$C)(res, `provider '${provider}' refused: `);
    const body = await (0,json_body/* readJson */.Vh)(res, 'the OIDC token answer', json_body/* SMALL_LIMITS */.XZ);
    if (!body.access_token)
        throw new errors/* AttemptError */.cb('http', 'OIDC token exchange: the answer has no access_token', {
            status: 200,
        });
    return {
        accessToken: body.access_token,
        username: body.username || userOfAccessToken(body.access_token),
    };
}
/**
 * The user an access token was issued to, from its `sub` claim, as `jfrog/setup-jfrog-cli` reads
 * it when the exchange's answer names none: `jfrt@<id>/users/<name>` gives `<name>`, any other
 * subject is the user as it is. Undefined when the token is not a JWT with a string `sub`: the
 * user is a courtesy output, never a reason to fail.
 */
function userOfAccessToken(token) {
    const parts = token.split('.');
    if (parts.length !== 3)
        return undefined;
    let sub;
    try {
        sub = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
            ?.sub;
    }
    catch {
        return undefined;
    }
    if (typeof sub !== 'string' || !sub)
        return undefined;
    if (sub.startsWith('jfrt@') || sub.includes('/users/'))
        return sub.slice(sub.lastIndexOf('/') + 1) || undefined;
    return sub;
}

// EXTERNAL MODULE: ./src/common/units.ts
var units = __webpack_require__(8570);
// EXTERNAL MODULE: ./src/common/server-text.ts
var server_text = __webpack_require__(1740);
// EXTERNAL MODULE: ./src/net/retry.ts
var retry = __webpack_require__(7893);
// EXTERNAL MODULE: ./src/plan/retrying.ts
var retrying = __webpack_require__(2153);
;// CONCATENATED MODULE: ./src/action/oidc.ts








/** Gets the job's ID token and exchanges it for a JFrog access token; nothing downloads before. */
async function oidcToken(settings, http, runner) {
    const { redact, addSecret, signal, say: onRetry } = runner;
    if (settings.auth.kind !== 'oidc')
        throw new Error('unreachable');
    if (!settings.url)
        throw new Error("OIDC needs input 'url' (the JFrog Platform to exchange the token with)");
    if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
        throw new Error("OIDC: this job cannot request an ID token: add 'permissions: id-token: write' to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL is not set)");
    }
    const { provider, audience } = settings.auth;
    let idToken;
    try {
        idToken = await withDeadline(core/* getIDToken */.V9(audience || undefined), settings.timeoutMs, signal);
    }
    catch (error) {
        if (signal.aborted)
            throw error;
        throw new Error(`OIDC: could not get the job's ID token: ${oneLine((0,errors/* messageOf */.bD)(error), redact)}`, {
            cause: error,
        });
    }
    addSecret(idToken);
    const policy = (0,retry/* retryPolicy */.Jb)(settings.retries, settings.retryDelayMs);
    const token = await (0,retry/* withRetries */.LH)(exchangeOidc.bind(undefined, http, settings.url, idToken, provider, signal), {
        what: 'OIDC token exchange',
        policy,
        signal,
        onRetry: (r) => onRetry((0,retrying/* retryText */.q)('the OIDC token exchange', r)),
    }).catch((error) => {
        // The step's failure message is this error's only report: the count is said here, once.
        const n = (0,errors/* attemptsOf */.Or)(error) ?? 1;
        throw n > 1 ? new Error(`${(0,errors/* messageOf */.bD)(error)} after ${n} attempts`, { cause: error }) : error;
    });
    addSecret(token.accessToken);
    // The user name is the server's word: one defused line, in the log and the output alike.
    const user = token.username ? redact((0,server_text/* serverText */.Tn)(token.username, 200)) : undefined;
    core/* info */.pq(`OIDC: exchanged the job's ID token with provider '${provider}'${user ? ` for user '${user}'` : ''}`);
    if (user)
        core/* setOutput */.uH('oidc-user', user);
    return token.accessToken;
}
/** Longest server text quoted in the failure (an HTML error page is not worth more). */
const MAX_QUOTED = 300;
/**
 * `@actions/core`'s error on one line: it spreads the status and the server's text over
 * several, and a server's text must never start a log line.
 */
function oneLine(text, redact) {
    // Redacted before it is cut: a secret cut in two cannot be found any more.
    const flat = redact(text).replace(/\s+/g, ' ').trim();
    return flat.length > MAX_QUOTED ? `${flat.slice(0, MAX_QUOTED)}…` : flat;
}
/**
 * `@actions/core` gives its ID-token request neither an abort signal nor a timeout shorter than
 * its 3-minute socket idle limit: the `timeout` input bounds the wait, and cancellation ends it.
 */
async function withDeadline(work, ms, signal) {
    const stop = new AbortController();
    const deadline = (0,promises_.setTimeout)(ms, undefined, {
        signal: AbortSignal.any([signal, stop.signal]),
    }).then(() => {
        throw new Error(`no answer within ${(0,units/* formatDuration */.a3)(ms)}`);
    }, () => {
        // Aborted: by the run (its reason is the error) or because the work settled first.
        if (signal.aborted)
            throw signal.reason;
    });
    try {
        return await Promise.race([work, deadline]);
    }
    finally {
        stop.abort();
    }
}


/***/ })

};

//# sourceMappingURL=688.index.js.map