import type ExcelJS from 'exceljs';
import type JSZip from 'jszip';

/**
 * The Excel libraries (about 1 MB of the Lambda bundles) are loaded the first time a workbook is
 * read or written, not at cold start: most returns are CSV or JSON.
 */
export const loadExcelJS = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;
export const loadJSZip = async (): Promise<typeof JSZip> => (await import('jszip')).default;
