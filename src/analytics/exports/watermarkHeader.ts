/** The response header carrying an export's watermark, to pass as the next pull's `updatedSince`. */
export const WATERMARK_HEADER = 'x-switchboard-watermark';
