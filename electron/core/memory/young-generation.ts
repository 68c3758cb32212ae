/**
 * The young generation of a long-running Homeport process (the desktop app's main process,
 * `homeport serve`) stays at its starting size.
 *
 * V8 doubles its young generation, up to 32 MB, each time many objects survive a scavenge. Every
 * large list does that: 50,000 pod summaries all survive. The young generation then stays at 32 MB
 * while watch events keep arriving, because Node has no idle-time collection that would shrink it.
 * With growth off, objects that survive go to the old generation straight away. A live pod's
 * summary ends up there anyway.
 *
 * Measured with the live pods benchmark at 50,000 pods (two runs each, same build): main-process
 * memory growth right after the event bursts 60 and 65 MB with growth, 52 and 42 MB without; the
 * list took as long either way.
 *
 * The flag is read each time V8 would grow the young generation, so setting it while the process
 * runs takes effect. A process cannot set the cap itself (`--max-semi-space-size`) that way: V8
 * reads that one only when the heap is set up.
 */
import { setFlagsFromString } from 'node:v8';

export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

export function keepYoungGenerationSmall(setFlags: (flags: string) => void = setFlagsFromString): void {
  setFlags(YOUNG_GENERATION_FLAG);
}
