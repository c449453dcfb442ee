/**
 * Whether this process runs the compiled build (`build/`, `.js`: what `npm start` and the image
 * run when the build matches the source) or the source itself (`src/`, `.ts`). Every module of a
 * process is one or the other, so this module's own URL answers for all of them.
 */
export const CODE_FORM: 'build' | 'source' = import.meta.url.endsWith('.js') ? 'build' : 'source';

/** The extension of this process's modules, for a module started as a process of its own. */
export const MODULE_EXTENSION = CODE_FORM === 'build' ? '.js' : '.ts';
