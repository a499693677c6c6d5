/**
 * The nesting depth of a JSON text, counted without parsing it (brackets outside strings);
 * stops counting once past `limit`. Hostile uploads (SBOMs, CSAF documents) are bounded with it
 * before JSON.parse.
 */
export function jsonDepth(text: string, limit = 64): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}
