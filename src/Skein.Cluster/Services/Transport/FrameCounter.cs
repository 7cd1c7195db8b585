namespace Skein.Cluster.Services.Transport;

/// <summary>Frames and the envelopes in them, counted across the call streams that share this counter.</summary>
internal sealed class FrameCounter
{
    private long _frames;
    private long _envelopes;

    public long Frames => Interlocked.Read(ref _frames);

    public long Envelopes => Interlocked.Read(ref _envelopes);

    public void Add(int envelopes)
    {
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _envelopes, envelopes);
    }
}
