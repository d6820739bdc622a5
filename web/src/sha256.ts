/**
 * The SHA-256 of a file, as lowercase hex, computed in the browser with Web Crypto.
 *
 * `crypto.subtle.digest` is not incremental, so the whole file is read into memory once. That is
 * bounded: the page refuses a file above the operation's size limit (25 MB for the shipped
 * operations) before hashing it, and the native digest runs at hundreds of MB/s, far faster than a
 * streaming implementation in JavaScript would. Needs a secure context (https, or localhost).
 */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
