package org.onionpeer.media;

import org.onionpeer.bytes.Text;

/**
 * What a media file is, read from its own bytes: the Media Source container type, the RFC 6381 codec of
 * every audio and video track in file order, and whether Media Source can take the bytes as they are (WebM,
 * fragmented MP4, MP3, ADTS) or an ordinary MP4 must be remuxed first ({@link Mp4Fragmenter}).
 */
public final class MediaType {
    private final String container;
    private final String codecs;
    private final boolean remux;

    /** " extension=type" pairs, space-separated, for {@link #mimeOfName}. */
    private static final String TYPES =
            " webm=video/webm mp4=video/mp4 m4v=video/mp4 mkv=video/x-matroska mp3=audio/mpeg" +
            " ogg=audio/ogg oga=audio/ogg opus=audio/opus m4a=audio/mp4 wav=audio/wav png=image/png" +
            " jpg=image/jpeg jpeg=image/jpeg gif=image/gif webp=image/webp svg=image/svg+xml" +
            " txt=text/plain html=text/html htm=text/html pdf=application/pdf zip=application/zip" +
            " json=application/json ";

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
        String ext = dot < 0 ? "" : Text.asciiLower(name.substring(dot + 1));
        // one lookup string, not a switch: a string switch is a hash switch plus an if-chain in onionpeer.js
        String key = " " + ext + "=";
        int at = ext.indexOf(' ') < 0 && ext.indexOf('=') < 0 ? TYPES.indexOf(key) : -1;
        return at < 0 ? "application/octet-stream" : TYPES.substring(at + key.length(), TYPES.indexOf(' ', at + 1));
    }
}
