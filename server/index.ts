export { checksumsOf, startArtifactory } from './artifactory.ts'
export type {
  ArtifactoryOptions,
  ArtifactoryServer,
  Fault,
  RecordedRequest,
} from './artifactory.ts'
export { startProxy, type ProxyServer } from './proxy.ts'
export { startRecorder, type RecorderServer } from './recorder.ts'
export { tlsFixtures, type ServerTls } from './tls.ts'
export { noise, sampleFiles } from './samples.ts'
export { startStorage, type StorageServer } from './storage.ts'
