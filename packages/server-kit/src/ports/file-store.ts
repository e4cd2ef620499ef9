export interface UploadedFile {
  /** The name the client gave; never trusted as a path. */
  filename: string;
  data: Uint8Array;
}

/** Where uploaded files are kept. Keys look like `chat_files/cv_QTbo98H.pdf`. */
export interface FileStore {
  /** Keeps the file under a sanitised name with a random suffix; answers its key. */
  save(file: UploadedFile): Promise<string>;
  /** Removes the file; a missing file is not an error. */
  remove(key: string): Promise<void>;
  /**
   * Absolute path of the file for serving, or null when the key is not one this store could have
   * made (for example it climbs out of the folder).
   */
  pathOf(key: string): string | null;
  /** The folder that every path lies in, so that serving can be confined to it. */
  readonly root: string;
}
