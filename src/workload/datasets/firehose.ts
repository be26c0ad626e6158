import { Rng } from "../random.js";
import {
  BASE32_LOWER,
  DATASET_EPOCH_MS,
  exponential,
  isoTime,
  logNormalInt,
  pick,
  pickWeighted,
  randomString,
  skewedIndex,
  tid,
} from "./record-parts.js";

/**
 * Social firehose events shaped like Bluesky's Jetstream feed (`kind: "commit"` with a record per
 * collection): posts, likes, reposts, follows and blocks. The mix, the text lengths and the share of
 * replies, quotes, mentions and images follow what that feed carries, so the bytes per event and
 * the spread of sizes are the ones a firehose buffer really stores.
 */

export type FirehoseEventType = "post" | "like" | "repost" | "follow" | "block";

export const FIREHOSE_COLLECTIONS: Record<FirehoseEventType, string> = {
  post: "app.bsky.feed.post",
  like: "app.bsky.feed.like",
  repost: "app.bsky.feed.repost",
  follow: "app.bsky.graph.follow",
  block: "app.bsky.graph.block",
};

const TYPES: readonly FirehoseEventType[] = ["like", "post", "repost", "follow", "block"];
/** Likes dominate a social firehose; blocks are rare. */
export const FIREHOSE_TYPE_WEIGHTS: readonly number[] = [0.55, 0.15, 0.12, 0.15, 0.03];

/** Accounts that act; a long tail, so a few post and like a lot. */
const AUTHOR_COUNT = 2000;
/** Recent posts that likes, reposts, replies and quotes point at. */
const RECENT_POSTS = 512;
/** Mean gap between events, ms: ~500 events/s, the order of the real feed. */
const MEAN_GAP_MS = 2;

const WORDS =
  "the a to and of in is it you that for on this my just so with be are have not but what was all " +
  "at like me we they do can today about your get one out new time people if how now good more " +
  "love really think know when up from day see great here go some back still got why thank work " +
  "night morning week thread update news game music art photo open source code release coffee " +
  "weather city team season finally again never always maybe tonight everyone friends favorite";
const WORD_LIST = WORDS.split(" ");
const EMOJI = ["🎉", "😂", "❤️", "🔥", "👀", "🙏", "✨", "🌧️", "☕", "🚀"];
const LANGS = ["en", "ja", "pt", "de", "es", "fr", "ko"];
const LANG_WEIGHTS = [0.62, 0.14, 0.1, 0.04, 0.04, 0.03, 0.03];
const TAGS = ["art", "photography", "news", "gamedev", "booksky", "music", "science", "rust", "ttrpg"];

interface PostRef {
  uri: string;
  cid: string;
}

export class FirehoseGenerator {
  private readonly rng: Rng;
  private readonly authors: string[] = [];
  private readonly recentPosts: PostRef[] = [];
  private timeMs = DATASET_EPOCH_MS;
  private lastTimeUs = 0;

  constructor(seed: number) {
    this.rng = new Rng(seed ^ 0x6f1e05e);
    for (let i = 0; i < AUTHOR_COUNT; i++) this.authors.push(did(this.rng));
  }

  /** The next event, as a plain object ready for JSON.stringify. */
  next(): Record<string, unknown> {
    const rng = this.rng;
    this.timeMs += exponential(rng, MEAN_GAP_MS);
    // Strictly increasing, as a relay's cursor is.
    const timeUs = Math.max(this.lastTimeUs + 1, Math.floor(this.timeMs * 1000));
    this.lastTimeUs = timeUs;
    const type = pickWeighted(rng, TYPES, FIREHOSE_TYPE_WEIGHTS);
    const author = this.authors[skewedIndex(rng, AUTHOR_COUNT)];
    const rkey = tid(timeUs, rng.int(1024));
    const collection = FIREHOSE_COLLECTIONS[type];
    // A client's clock runs a little behind or ahead of the relay's.
    const createdAt = isoTime(this.timeMs - rng.int(3000) + 500);
    let record: Record<string, unknown>;
    switch (type) {
      case "post":
        record = this.post(createdAt);
        break;
      case "like":
      case "repost":
        record = { $type: collection, createdAt, subject: this.someRecentPost() };
        break;
      default:
        record = { $type: collection, createdAt, subject: this.otherAuthor(author) };
    }
    const cid = cidString(rng);
    if (type === "post") this.remember({ uri: `at://${author}/${collection}/${rkey}`, cid });
    return {
      did: author,
      time_us: timeUs,
      kind: "commit",
      commit: { rev: tid(timeUs + 1, rng.int(1024)), operation: "create", collection, rkey, record, cid },
    };
  }

  private post(createdAt: string): Record<string, unknown> {
    const rng = this.rng;
    const lang = pickWeighted(rng, LANGS, LANG_WEIGHTS);
    const record: Record<string, unknown> = {
      $type: FIREHOSE_COLLECTIONS.post,
      createdAt,
      langs: [lang],
      // Most posts are short; the limit is 300 characters, less room for a leading hashtag.
      text: text(rng, logNormalInt(rng, 70, 0.8, 1, 280)),
    };
    const replyDraw = rng.next();
    if (replyDraw < 0.35 && this.recentPosts.length > 0) {
      const parent = this.someRecentPost();
      const root = rng.next() < 0.5 ? parent : this.someRecentPost();
      record["reply"] = { root, parent };
    }
    const embedDraw = rng.next();
    if (embedDraw < 0.08) {
      record["embed"] = { $type: "app.bsky.embed.record", record: this.someRecentPost() };
    } else if (embedDraw < 0.28) {
      const images = [];
      for (let i = 1 + skewedIndex(rng, 4); i > 0; i--) {
        images.push({
          alt: rng.next() < 0.4 ? text(rng, logNormalInt(rng, 40, 0.7, 3, 1000)) : "",
          image: {
            $type: "blob",
            ref: { $link: cidString(rng) },
            mimeType: "image/jpeg",
            size: logNormalInt(rng, 350_000, 0.6, 20_000, 1_000_000),
          },
          aspectRatio: { width: pick(rng, [1000, 1200, 2000]), height: pick(rng, [750, 1000, 1500, 2000]) },
        });
      }
      record["embed"] = { $type: "app.bsky.embed.images", images };
    }
    if (rng.next() < 0.12) {
      const tag = pick(rng, TAGS);
      record["facets"] = [
        {
          index: { byteStart: 0, byteEnd: tag.length + 1 },
          features: [{ $type: "app.bsky.richtext.facet#tag", tag }],
        },
      ];
      record["text"] = `#${tag} ${record["text"]}`;
    }
    return record;
  }

  private someRecentPost(): PostRef {
    if (this.recentPosts.length === 0) {
      const author = this.authors[skewedIndex(this.rng, AUTHOR_COUNT)];
      return {
        uri: `at://${author}/${FIREHOSE_COLLECTIONS.post}/${tid(this.timeMs * 1000 - 1e9, 0)}`,
        cid: cidString(this.rng),
      };
    }
    // Recent posts get most of the attention.
    const back = skewedIndex(this.rng, this.recentPosts.length, 2);
    return this.recentPosts[this.recentPosts.length - 1 - back];
  }

  private otherAuthor(self: string): string {
    const other = this.authors[skewedIndex(this.rng, AUTHOR_COUNT, 1.5)];
    return other === self ? this.authors[(this.authors.indexOf(self) + 1) % AUTHOR_COUNT] : other;
  }

  private remember(post: PostRef): void {
    this.recentPosts.push(post);
    if (this.recentPosts.length > RECENT_POSTS) this.recentPosts.shift();
  }
}

/** The event type of a firehose record, from its collection. */
export function firehoseEventType(event: {
  commit?: { collection?: string };
}): FirehoseEventType | undefined {
  const collection = event.commit?.collection;
  return TYPES.find((t) => FIREHOSE_COLLECTIONS[t] === collection);
}

function did(rng: Rng): string {
  return `did:plc:${randomString(rng, BASE32_LOWER, 24)}`;
}

/** A CIDv1 (dag-cbor, sha-256) as Bluesky writes it: `bafyrei` and 52 base32 characters. */
function cidString(rng: Rng): string {
  return `bafyrei${randomString(rng, BASE32_LOWER, 52)}`;
}

/** Words up to about `chars` characters, with the odd emoji (multi-byte UTF-8, as real text has). */
function text(rng: Rng, chars: number): string {
  let s = "";
  while (s.length < chars) {
    const word = rng.next() < 0.04 ? pick(rng, EMOJI) : pick(rng, WORD_LIST);
    s = s.length === 0 ? word[0].toUpperCase() + word.slice(1) : `${s} ${word}`;
  }
  // The last word may overshoot; cut at a word boundary so the post stays within its length.
  if (s.length > 287) s = s.slice(0, s.lastIndexOf(" ", 287));
  return s;
}
