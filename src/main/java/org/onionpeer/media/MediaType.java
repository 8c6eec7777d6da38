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
}
