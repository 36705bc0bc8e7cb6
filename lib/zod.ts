import { en } from "zod/locales";
import { config } from "zod/mini";

/**
 * zod/mini, the tree-shakable form of zod 4 (a third of classic zod's size in a Lambda bundle),
 * with the English messages that classic zod loads by itself: without them every issue reads
 * "Invalid input".
 */
config(en());

export * from "zod/mini";
