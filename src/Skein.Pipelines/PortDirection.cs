namespace Skein.Pipelines;

public enum PortDirection
{
    Input,
    Output,
}
