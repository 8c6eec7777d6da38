package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.browser.media.Blobs;
import org.onionpeer.browser.storage.Idb;
import org.onionpeer.browser.storage.IdbDatabase;
import org.onionpeer.browser.storage.IdbRequest;
import org.onionpeer.browser.storage.IdbTransaction;
import org.onionpeer.browser.storage.StoredFile;
import org.teavm.jso.JSObject;

/**
 * The downloads' IndexedDB database ({@code onionpeer-downloads}): a {@code files} store of one {@link
 * StoredFile} per URL or link, and a {@code chunks} store of its records (Blobs, at most {@link
 * Downloads#RECORD} bytes each). Opened once, on first use; everything is callback-driven.
 */
final class StoredFiles {
    private StoredFiles() {
    }


    interface DbCallback {
        void opened(IdbDatabase db);

        void failed(String error);
    }

    private static IdbDatabase db;
    private static List<DbCallback> opening;
    private static String dbError;

    static void db(DbCallback cb) {
        if (db != null) {
            cb.opened(db);
            return;
        }
        if (dbError != null) {
            cb.failed(dbError);
            return;
        }
        if (opening != null) {
            opening.add(cb);
            return;
        }
        opening = new ArrayList<>();
        opening.add(cb);
        IdbRequest rq = Idb.open(Downloads.DB_NAME, 1);
        rq.setOnupgradeneeded(e -> {
            IdbDatabase d = (IdbDatabase) rq.getResult();
            d.createObjectStore("files", Idb.keyPath("url"));
            d.createObjectStore("chunks", Idb.noOptions());   // key [url, seq] -> Blob
        });
        rq.setOnsuccess(e -> {
            db = (IdbDatabase) rq.getResult();
            List<DbCallback> waiting = opening;
            opening = null;
            for (DbCallback c : waiting) {
                c.opened(db);
            }
        });
        rq.setOnerror(e -> {
            dbError = "IndexedDB unavailable: " + Idb.describe(rq.getError());
            List<DbCallback> waiting = opening;
            opening = null;
            for (DbCallback c : waiting) {
                c.failed(dbError);
            }
        });
    }

    interface Result<T> {
        void ok(T value);

        void failed(String error);
    }

    /** The stored record of url, or null. */
    static void getMeta(IdbDatabase d, String url, Result<StoredFile> cb) {
        IdbRequest rq = d.transaction("files").objectStore("files").get(Idb.key(url));
        rq.setOnsuccess(e -> cb.ok(Idb.absent(rq.getResult()) ? null : (StoredFile) rq.getResult()));
        rq.setOnerror(e -> cb.failed(Idb.describe(rq.getError())));
    }

    /** The stored records of url in order, as a JS array of Blobs. */
    static void records(String url, Result<JSObject> cb) {
        db(new DbCallback() {
            @Override
            public void opened(IdbDatabase d) {
                IdbRequest rq = d.transaction("chunks").objectStore("chunks").getAll(Idb.keysOf(url));
                rq.setOnsuccess(e -> cb.ok(rq.getResult()));
                rq.setOnerror(e -> cb.failed(Idb.describe(rq.getError())));
            }

            @Override
            public void failed(String error) {
                cb.failed(error);
            }
        });
    }

    static void files(Downloads.DoneFn cb) {
        db(new DbCallback() {
            @Override
            public void opened(IdbDatabase d) {
                IdbRequest rq = d.transaction("files").objectStore("files").getAll();
                rq.setOnsuccess(e -> {
                    JSObject all = rq.getResult();
                    List<StoredFile> list = new ArrayList<>();
                    for (int i = 0; i < Idb.length(all); i++) {
                        list.add((StoredFile) Idb.at(all, i));
                    }
                    list.sort((a, b) -> Double.compare(b.getUpdated(), a.getUpdated()));   // newest first
                    JSObject out = Idb.newArray();
                    for (StoredFile m : list) {
                        Idb.push(out, Idb.info(m));
                    }
                    cb.call(null, out);
                });
                rq.setOnerror(e -> cb.call(Idb.describe(rq.getError()), null));
            }

            @Override
            public void failed(String error) {
                cb.call(error, null);
            }
        });
    }

    static void fileBlob(String url, Downloads.DoneFn cb) {
        db(new DbCallback() {
            @Override
            public void opened(IdbDatabase d) {
                getMeta(d, url, new Result<StoredFile>() {
                    @Override
                    public void ok(StoredFile m) {
                        if (m == null) {
                            cb.call("no such file: " + url, null);
                            return;
                        }
                        records(url, new Result<JSObject>() {
                            @Override
                            public void ok(JSObject parts) {
                                cb.call(null, Blobs.concat(parts, m.getType()));
                            }

                            @Override
                            public void failed(String error) {
                                cb.call(error, null);
                            }
                        });
                    }

                    @Override
                    public void failed(String error) {
                        cb.call(error, null);
                    }
                });
            }

            @Override
            public void failed(String error) {
                cb.call(error, null);
            }
        });
    }

    /**
     * Keeps a file this page shares as a finished download under its link (one record: the Blob the user
     * gave), so files() lists it and fileBlob(link) gives it back.
     */
    static void storeShared(String url, JSObject blob, String name, String type, long size,
            java.util.function.Consumer<String> cb) {
        db(new DbCallback() {
            @Override
            public void opened(IdbDatabase d) {
                IdbTransaction tx = d.transaction(Idb.names("files", "chunks"), "readwrite");
                tx.objectStore("chunks").delete(Idb.keysOf(url));
                tx.objectStore("chunks").put(blob, Idb.key(url, 0));
                StoredFile m = Idb.newFile();
                m.setUrl(url);
                m.setName(name);
                m.setType(type);
                m.setTotal(size);
                m.setReceived(size);
                m.setChunks(1);
                m.setDone(true);
                m.setStatus(200);
                m.setShared(true);
                m.setUpdated(Downloads.wallClock());
                tx.objectStore("files").put(m);
                tx.setOncomplete(e -> cb.accept(null));
                TxFail.onFail(tx, () -> cb.accept("IndexedDB write failed: " + Idb.describe(tx.getError())));
            }

            @Override
            public void failed(String error) {
                cb.accept(error);
            }
        });
    }

    /** abort and error both mean the transaction failed; report it once. */
    static final class TxFail {
        static void onFail(IdbTransaction tx, Runnable r) {
            boolean[] once = new boolean[1];
            tx.setOnabort(e -> {
                if (!once[0]) {
                    once[0] = true;
                    r.run();
                }
            });
            tx.setOnerror(e -> {
                if (!once[0]) {
                    once[0] = true;
                    r.run();
                }
            });
        }
    }
}
