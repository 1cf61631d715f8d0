import type * as core from '@actions/core'
import { vi } from 'vitest'

export const debug = vi.fn<typeof core.debug>()
export const error = vi.fn<typeof core.error>()
export const info = vi.fn<typeof core.info>()
export const getInput = vi.fn<typeof core.getInput>()
export const setOutput = vi.fn<typeof core.setOutput>()
export const setFailed = vi.fn<typeof core.setFailed>()
export const setSecret = vi.fn<typeof core.setSecret>()
export const warning = vi.fn<typeof core.warning>()
export const startGroup = vi.fn<typeof core.startGroup>()
export const endGroup = vi.fn<typeof core.endGroup>()
export const addPath = vi.fn<typeof core.addPath>()
export const isDebug = vi.fn<typeof core.isDebug>(() => true)
export const getIDToken = vi.fn<typeof core.getIDToken>()

/** A summary that keeps what was written, like the runner's file. */
export const summary = {
  text: '',
  addRaw(text: string) {
    this.text += text
    return this
  },
  async write() {
    return this
  },
}
