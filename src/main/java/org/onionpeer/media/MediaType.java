package org.onionpeer.media;

/**
 * What a media file is, read from its own bytes: the Media Source container type, the RFC 6381 codec of
 * every audio and video track in file order, and whether Media Source can take the bytes as they are (WebM,
 * fragmented MP4, MP3, ADTS) or an ordinary MP4 must be remuxed first ({@link Mp4Fragmenter}).
 */
public final class MediaType {
    private final String container;
    private final String codecs;
    private final boolean remux;

    MediaType(String container, String codecs, boolean remux) {
        this.container = container;
        this.codecs = codecs;
        this.remux = remux;
    }

    /** "video/webm", "audio/mp4", "audio/mpeg"... */
    public String container() {
        return container;
    }

    /** Comma-separated RFC 6381 codecs, e.g. "avc1.64000d,mp4a.40.2"; empty for MP3 and ADTS. */
    public String codecs() {
        return codecs;
    }

    /** True for an ordinary (non-fragmented) MP4. */
    public boolean needsRemux() {
        return remux;
    }

    /** The exact string for MediaSource.isTypeSupported and addSourceBuffer. */
    public String mime() {
        return codecs.isEmpty() ? container : container + "; codecs=\"" + codecs + "\"";
    }

    @Override
    public String toString() {
        return mime() + (remux ? " (to remux)" : "");
    }

    /** The MIME type pages play or save a file as, from its name's extension (for files not yet read). */
    public static String mimeOfName(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
        switch (ext) {
            case "webm": return "video/webm";
            case "mp4": case "m4v": return "video/mp4";
            case "mkv": return "video/x-matroska";
            case "mp3": return "audio/mpeg";
            case "ogg": case "oga": return "audio/ogg";
            case "opus": return "audio/opus";
            case "m4a": return "audio/mp4";
            case "wav": return "audio/wav";
            case "png": return "image/png";
            case "jpg": case "jpeg": return "image/jpeg";
            case "gif": return "image/gif";
            case "webp": return "image/webp";
            case "svg": return "image/svg+xml";
            case "txt": return "text/plain";
            case "html": case "htm": return "text/html";
            case "pdf": return "application/pdf";
            case "zip": return "application/zip";
            case "json": return "application/json";
            default: return "application/octet-stream";
        }
    }
}
