public enum DatasetScanPlaceholder {}
