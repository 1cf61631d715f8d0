// Types for the files of undici that undici.ts loads one by one: undici types only its entry
// point, and each of these files exports what the entry point re-exports under the same name.
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici/types/index.js'
  export default Agent
}
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici/types/index.js'
  export default Client
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici/types/index.js'
  export default Dispatcher
}
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici/types/index.js'
  export default Pool
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import { ProxyAgent } from 'undici/types/index.js'
  export default ProxyAgent
}
declare module 'undici/lib/api/index.js' {
  import type { Dispatcher } from 'undici/types/index.js'
  /**
   * The methods undici's entry point puts on `Dispatcher.prototype` (request, stream, pipeline,
   * connect, upgrade), each called with the dispatcher as `this`; only `request` is called here.
   */
  const api: {
    request: (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>
    readonly [method: string]: unknown
  }
  export default api
}
declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici/types/index.js'
  export default buildConnector
}
declare module 'undici/lib/core/util.js' {
  const util: {
    parseURL: (url: unknown) => URL
  }
  export default util
}
