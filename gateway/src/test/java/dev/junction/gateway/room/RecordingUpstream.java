package dev.junction.gateway.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A piped Producer's upstream and a Producer's tap, in memory: what a pipe would carry back to the home loop
 * (keyframe requests, repair requests) and forward to another loop (tagged packets, Sender Reports), recorded.
 */
final class RecordingUpstream implements Producer.Upstream, Producer.Tap {
    /** "producerId/layer" per keyframe request. */
    final List<String> keyframes = new ArrayList<>();
    /** "producerId/layer/seq" per repair request. */
    final List<String> repairs = new ArrayList<>();
    /** Tapped packets: "layer:seq" (" repair" when late), and their bytes. */
    final List<String> tapped = new ArrayList<>();
    final List<byte[]> tappedBytes = new ArrayList<>();
    final List<String> senderReports = new ArrayList<>();

    @Override
    public void requestKeyframe(Producer producer, int layer, long nowNs) {
        keyframes.add(producer.id() + "/" + layer);
    }

    @Override
    public boolean requestRepair(Producer producer, int layer, int seq) {
        repairs.add(producer.id() + "/" + layer + "/" + seq);
        return true;
    }

    @Override
    public long nextTimeoutNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public void onRtp(Producer producer, int layer, ByteBuf packet, boolean repair) {
        tapped.add(layer + ":" + packet.getUnsignedShort(packet.readerIndex() + 2) + (repair ? " repair" : ""));
        tappedBytes.add(ByteBufUtil.getBytes(packet));
    }

    @Override
    public void onSenderReport(Producer producer, int layer, long rtpTimestamp, long atNs) {
        senderReports.add(layer + ":" + rtpTimestamp);
    }
}
