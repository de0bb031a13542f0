using SmsGateway.Model;

namespace SmsGateway.Segmentation;

/// <summary>How a text is sent: encoding, number of parts, and size in septets (GSM-7) or UTF-16 units (UCS-2).</summary>
/// <param name="Encoding">GSM-7 or UCS-2.</param>
/// <param name="Segments">Number of SMS parts (1 for a single message).</param>
/// <param name="Units">Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2.</param>
public readonly record struct SegmentInfo(SmsEncoding Encoding, int Segments, int Units);
